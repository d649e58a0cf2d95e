#include "pipeline/static_embedding.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/thread_pool.h"
#include "kernels/gather_mean.h"
#include "kernels/kernels.h"
#include "model/safetensors_file.h"

namespace sk::pipeline {
namespace {

// Texts per parallel task: enough that a task's tokenizing outweighs handing it out.
constexpr size_t kTextsPerTask = 256;

}  // namespace

Status StaticEmbeddingModel::Load(StaticEmbeddingFiles files, std::unique_ptr<StaticEmbeddingModel>* out) {
  std::unique_ptr<StaticEmbeddingModel> model(new StaticEmbeddingModel());
  if (files.tokenizer_json.empty()) {
    SK_RETURN_IF_ERROR(tok::Tokenizer::FromFile(files.tokenizer_path, &model->tokenizer_));
  } else {
    Status status = tok::Tokenizer::FromJson(files.tokenizer_json, &model->tokenizer_);
    if (!status.ok()) return Status(status.code(), files.tokenizer_path + ": " + status.message());
  }
  model::SafetensorsFile weights;
  SK_RETURN_IF_ERROR(weights.Open(files.weights_path));
  // StaticEmbedding.load: "embedding.weight", else model2vec's "embeddings".
  std::string name = "embedding.weight";
  if (!weights.Has(name)) name = "embeddings";
  const model::SafetensorsEntry* entry = weights.Find(name);
  if (entry == nullptr) {
    return ModelLoadError(files.weights_path + ": no tensor 'embedding.weight' or 'embeddings' (a StaticEmbedding table)");
  }
  if (entry->shape.size() != 2 || entry->shape[0] <= 0 || entry->shape[1] <= 0) {
    return ModelLoadError(files.weights_path + ": tensor '" + name + "' must be a [vocabulary, dimension] matrix");
  }
  if (entry->dtype != "F32" && entry->dtype != "F16" && entry->dtype != "BF16") {
    // nn.EmbeddingBag cannot average integer rows either (model2vec's int8 tables).
    return ModelLoadError(files.weights_path + ": tensor '" + name + "' has dtype " + entry->dtype +
                          "; a StaticEmbedding table must be F32, F16 or BF16");
  }
  SK_RETURN_IF_ERROR(weights.ReadFloat32(name, entry->shape, &model->table_));
  model->rows_ = static_cast<size_t>(entry->shape[0]);
  model->dim_ = static_cast<size_t>(entry->shape[1]);
  if (model->tokenizer_->VocabSize() > model->rows_) {
    // Python would fail on the first text that uses a token past the table; refuse up front.
    return ModelLoadError(files.weights_path + ": the table has " + std::to_string(model->rows_) + " rows but " +
                          files.tokenizer_path + " has " + std::to_string(model->tokenizer_->VocabSize()) + " tokens");
  }
  model->options_.add_special_tokens = false;
  model->options_.max_length = files.max_length;
  model->options_.side = files.truncate_left ? tok::TruncationSide::kLeft : tok::TruncationSide::kRight;
  model->normalize_module_ = files.normalize_module;
  *out = std::move(model);
  return Status::Ok();
}

Status StaticEmbeddingModel::EncodeRange(const std::vector<std::string>& texts, size_t begin, size_t end,
                                         const StaticEncodeParams& params, float* out, tok::Encoding* encoding,
                                         float* row) const {
  const size_t width = OutputDimension(params.truncate_dim);
  for (size_t i = begin; i < end; ++i) {
    SK_RETURN_IF_ERROR(tokenizer_->Encode(texts[i], options_, encoding));
    for (int64_t id : encoding->ids) {
      if (id < 0 || static_cast<size_t>(id) >= rows_) {
        return InvalidArgument("token id " + std::to_string(id) + " has no row in the embedding table (" +
                               std::to_string(rows_) + " rows)");
      }
    }
    kernels::GatherMean(table_.data(), dim_, encoding->ids.data(), encoding->ids.size(), row);
    // Normalize runs inside the model, on the full row; truncate_dim and normalize_embeddings after it.
    if (normalize_module_) kernels::L2NormalizeRows(row, 1, dim_);
    float* target = out + i * width;
    std::memcpy(target, row, width * sizeof(float));
    if (params.normalize) kernels::L2NormalizeRows(target, 1, width);
  }
  return Status::Ok();
}

Status StaticEmbeddingModel::Encode(const std::vector<std::string>& texts, const StaticEncodeParams& params,
                                    float* out) const {
  const size_t tasks = (texts.size() + kTextsPerTask - 1) / kTextsPerTask;
  if (tasks <= 1) {
    tok::Encoding encoding;
    std::vector<float> row(dim_);
    return EncodeRange(texts, 0, texts.size(), params, out, &encoding, row.data());
  }
  ThreadPool& pool = ThreadPool::Shared();
  std::vector<tok::Encoding> encodings(pool.size());
  std::vector<std::vector<float>> rows(pool.size(), std::vector<float>(dim_));
  std::vector<Status> failures(tasks);
  pool.ParallelFor(tasks, [&](size_t task, size_t slot) {
    const size_t begin = task * kTextsPerTask;
    const size_t end = std::min(texts.size(), begin + kTextsPerTask);
    failures[task] = EncodeRange(texts, begin, end, params, out, &encodings[slot], rows[slot].data());
  });
  for (const Status& status : failures) SK_RETURN_IF_ERROR(status);
  return Status::Ok();
}

}  // namespace sk::pipeline
