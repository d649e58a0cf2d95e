#include "pipeline/static_embedding.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>

#include "core/file_util.h"
#include "core/json.h"
#include "core/thread_pool.h"
#include "kernels/gather_mean.h"
#include "kernels/kernels.h"
#include "model/safetensors_file.h"
#include "pipeline/static_half.h"

namespace sk::pipeline {
namespace {

// Texts per parallel task: enough that a task's tokenizing outweighs handing it out.
constexpr size_t kTextsPerTask = 256;
// Texts whose rows go through the Dense modules together: one matrix product per block.
constexpr size_t kTextsPerBlock = 32;

// StaticEmbedding.load: "embedding.weight", else model2vec's "embeddings", from model.safetensors.
Status ReadSafetensorsTable(const std::string& path, std::vector<float>* table, size_t* rows, size_t* dim,
                            std::optional<HalfFormat>* half) {
  model::SafetensorsFile weights;
  SK_RETURN_IF_ERROR(weights.Open(path));
  std::string name = "embedding.weight";
  if (!weights.Has(name)) name = "embeddings";
  const model::SafetensorsEntry* entry = weights.Find(name);
  if (entry == nullptr) {
    return ModelLoadError(path + ": no tensor 'embedding.weight' or 'embeddings' (a StaticEmbedding table)");
  }
  if (entry->shape.size() != 2 || entry->shape[0] <= 0 || entry->shape[1] <= 0) {
    return ModelLoadError(path + ": tensor '" + name + "' must be a [vocabulary, dimension] matrix");
  }
  if (entry->dtype != "F32" && entry->dtype != "F16" && entry->dtype != "BF16") {
    // nn.EmbeddingBag cannot average integer rows either (model2vec's int8 tables).
    return ModelLoadError(path + ": tensor '" + name + "' has dtype " + entry->dtype +
                          "; a StaticEmbedding table must be F32, F16 or BF16");
  }
  SK_RETURN_IF_ERROR(weights.ReadFloat32(name, entry->shape, table));
  *rows = static_cast<size_t>(entry->shape[0]);
  *dim = static_cast<size_t>(entry->shape[1]);
  if (entry->dtype == "F16") *half = HalfFormat::kFloat16;
  if (entry->dtype == "BF16") *half = HalfFormat::kBfloat16;
  return Status::Ok();
}

}  // namespace

Status StaticEmbeddingModel::Load(StaticEmbeddingFiles files, std::unique_ptr<StaticEmbeddingModel>* out) {
  std::unique_ptr<StaticEmbeddingModel> model(new StaticEmbeddingModel());
  std::string tokenizer_json = std::move(files.tokenizer_json);
  if (tokenizer_json.empty()) SK_RETURN_IF_ERROR(ReadWholeFile(files.tokenizer_path, &tokenizer_json, StatusCode::kTokenizer));
  Status status = tok::Tokenizer::FromJson(tokenizer_json, &model->tokenizer_);
  if (!status.ok()) return Status(status.code(), files.tokenizer_path + ": " + status.message());
  JsonValue document;  // stays null (no fast path) if the document the tokenizer read cannot be read here
  (void)JsonValue::Parse(tokenizer_json, &document);
  if (files.table.empty()) {
    SK_RETURN_IF_ERROR(ReadSafetensorsTable(files.weights_path, &model->table_, &model->rows_, &model->dim_, &model->half_));
  } else {
    if (files.table_rows == 0 || files.table_dim == 0 || files.table.size() != files.table_rows * files.table_dim) {
      return ModelLoadError(files.weights_path + ": the StaticEmbedding table must be a [vocabulary, dimension] matrix");
    }
    model->table_ = std::move(files.table);
    model->rows_ = files.table_rows;
    model->dim_ = files.table_dim;
  }
  if (model->tokenizer_->VocabSize() > model->rows_) {
    // Python would fail on the first text that uses a token past the table; refuse up front.
    return ModelLoadError(files.weights_path + ": the table has " + std::to_string(model->rows_) + " rows but " +
                          files.tokenizer_path + " has " + std::to_string(model->tokenizer_->VocabSize()) + " tokens");
  }
  model->widest_ = model->dim_;
  size_t width = model->dim_;
  for (size_t i = 0; i < files.dense.size(); ++i) {
    const DenseLayer& layer = files.dense[i];
    SK_RETURN_IF_ERROR(layer.Validate());
    if (layer.in_features != width) {
      return ModelLoadError("Dense module " + std::to_string(i + 1) + " after the StaticEmbedding takes " +
                            std::to_string(layer.in_features) + " features but receives " + std::to_string(width));
    }
    width = layer.out_features;
    model->widest_ = std::max(model->widest_, width);
  }
  model->dense_ = std::move(files.dense);
  model->options_.add_special_tokens = false;
  model->options_.max_length = files.max_length;
  model->options_.side = files.truncate_left ? tok::TruncationSide::kLeft : tok::TruncationSide::kRight;
  model->normalize_module_ = files.normalize_module;
  model->ids_ = std::make_unique<StaticTokenizer>(model->tokenizer_.get(), model->options_, document);
  *out = std::move(model);
  return Status::Ok();
}

Status StaticEmbeddingModel::MeanRow(const std::string& text, Scratch* scratch, float* row) const {
  SK_RETURN_IF_ERROR(ids_->Ids(text, &scratch->encoding, &scratch->ids));
  for (int64_t id : scratch->ids) {
    if (id < 0 || static_cast<size_t>(id) >= rows_) {
      return InvalidArgument("token id " + std::to_string(id) + " has no row in the embedding table (" +
                             std::to_string(rows_) + " rows)");
    }
  }
  if (half_) HalfMean(table_.data(), dim_, scratch->ids.data(), scratch->ids.size(), *half_, row);
  else kernels::GatherMean(table_.data(), dim_, scratch->ids.data(), scratch->ids.size(), row);
  return Status::Ok();
}

void StaticEmbeddingModel::Normalize(float* row, size_t width) const {
  if (half_) HalfNormalize(row, width, *half_);
  else kernels::L2NormalizeRows(row, 1, width);
}

Status StaticEmbeddingModel::EncodeRange(const std::vector<std::string>& texts, size_t begin, size_t end,
                                         const StaticEncodeParams& params, float* out, Scratch* scratch) const {
  const size_t full = dimension();
  const size_t width = OutputDimension(params.truncate_dim);
  if (dense_.empty() && width == dim_) {
    // The whole table row is the output: the mean goes straight into it.
    for (size_t i = begin; i < end; ++i) {
      float* row = out + i * width;
      SK_RETURN_IF_ERROR(MeanRow(texts[i], scratch, row));
      if (normalize_module_) Normalize(row, width);
      if (params.normalize) Normalize(row, width);
    }
    return Status::Ok();
  }
  scratch->rows.resize(kTextsPerBlock * widest_);
  if (!dense_.empty()) scratch->next.resize(kTextsPerBlock * widest_);
  for (size_t first = begin; first < end; first += kTextsPerBlock) {
    const size_t count = std::min(kTextsPerBlock, end - first);
    for (size_t j = 0; j < count; ++j) {
      SK_RETURN_IF_ERROR(MeanRow(texts[first + j], scratch, scratch->rows.data() + j * dim_));
    }
    for (const DenseLayer& layer : dense_) {
      layer.Apply(scratch->rows.data(), count, scratch->next.data());
      scratch->rows.swap(scratch->next);
    }
    for (size_t j = 0; j < count; ++j) {
      float* row = scratch->rows.data() + j * full;
      // Normalize runs inside the model, on the full row; truncate_dim and normalize_embeddings after it.
      if (normalize_module_) Normalize(row, full);
      float* target = out + (first + j) * width;
      std::memcpy(target, row, width * sizeof(float));
      if (params.normalize) Normalize(target, width);
    }
  }
  return Status::Ok();
}

Status StaticEmbeddingModel::Encode(const std::vector<std::string>& texts, const StaticEncodeParams& params,
                                    float* out) const {
  const size_t tasks = (texts.size() + kTextsPerTask - 1) / kTextsPerTask;
  if (tasks <= 1) {
    Scratch scratch;
    return EncodeRange(texts, 0, texts.size(), params, out, &scratch);
  }
  ThreadPool& pool = ThreadPool::Shared();
  std::vector<Scratch> scratch(pool.size());
  std::vector<Status> failures(tasks);
  pool.ParallelFor(tasks, [&](size_t task, size_t slot) {
    const size_t begin = task * kTextsPerTask;
    const size_t end = std::min(texts.size(), begin + kTextsPerTask);
    failures[task] = EncodeRange(texts, begin, end, params, out, &scratch[slot]);
  });
  for (const Status& status : failures) SK_RETURN_IF_ERROR(status);
  return Status::Ok();
}

}  // namespace sk::pipeline
