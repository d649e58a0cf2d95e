#include "pipeline/sparse_encoder.h"

#include <algorithm>
#include <cmath>

#include "kernels/kernels.h"
#include "pipeline/position_limit.h"
#include "pipeline/sorted_batches.h"

namespace sk::pipeline {

Status SparseEncoderModel::Load(const ModelFiles& files, std::unique_ptr<SparseEncoderModel>* out,
                                SpladeActivation activation) {
  std::unique_ptr<SparseEncoderModel> model(new SparseEncoderModel());
  model->files_ = files;
  model->activation_ = activation;
  SK_RETURN_IF_ERROR(model->model_.Load(files));
  SK_RETURN_IF_ERROR(model->model_.LastDimension(files.max_length, &model->vocab_size_));
  *out = std::move(model);
  return Status::Ok();
}

void AppendSparseRow(const float* weights, size_t vocab, size_t max_active_dims, SparseRows* out) {
  const size_t begin = out->indices.size();
  for (size_t j = 0; j < vocab; ++j) {
    // NaN is kept (it is not > 0 but not 0 either), so a broken model shows, not hides.
    if (weights[j] > 0.0f || std::isnan(weights[j])) {
      out->indices.push_back(static_cast<int32_t>(j));
      out->values.push_back(weights[j]);
    }
  }
  const size_t active = out->indices.size() - begin;
  if (max_active_dims > 0 && active > max_active_dims) {
    // Keep the largest weights (ties to the lower index, as a stable top-k), then restore
    // ascending index order.
    std::vector<size_t> order(active);
    for (size_t k = 0; k < active; ++k) order[k] = k;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return out->values[begin + a] > out->values[begin + b];
    });
    order.resize(max_active_dims);
    std::sort(order.begin(), order.end());
    std::vector<int32_t> kept_indices;
    std::vector<float> kept_values;
    for (size_t k : order) {
      kept_indices.push_back(out->indices[begin + k]);
      kept_values.push_back(out->values[begin + k]);
    }
    out->indices.resize(begin);
    out->values.resize(begin);
    out->indices.insert(out->indices.end(), kept_indices.begin(), kept_indices.end());
    out->values.insert(out->values.end(), kept_values.begin(), kept_values.end());
  }
  out->offsets.push_back(static_cast<int64_t>(out->indices.size()));
}

Status SparseEncoderModel::Encode(const std::vector<std::string>& texts, size_t batch_size,
                                  size_t max_active_dims, size_t max_length, SparseRows* out) const {
  tok::EncodeOptions options;
  options.max_length = files_.MaxLength(max_length);
  options.side = model_.truncation_side;
  std::vector<tok::Encoding> encodings(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    SK_RETURN_IF_ERROR(model_.tokenizer->Encode(texts[i], options, &encodings[i]));
  }

  if (cuda_) {
    SK_RETURN_IF_ERROR(CheckPositionLimit(encodings, CudaPositions(*cuda_)));
    return EncodeOnCuda(encodings, batch_size, max_active_dims, out);
  }
  if (engine_) {
    SK_RETURN_IF_ERROR(CheckPositionLimit(encodings, EnginePositions(*engine_)));
    return EncodeOnCpuEngine(encodings, batch_size, max_active_dims, out);
  }
  // Rows arrive in length order; keep each one's sparse entries until all are done.
  std::vector<SparseRows> rows(texts.size());
  std::vector<float> pooled;
  const ort::OrtSession& session = *model_.session;
  SK_RETURN_IF_ERROR(RunSortedBatches(model_, encodings, BatchLimits{batch_size, kCpuBatchTokens},
                                      [&](const BatchResult& result) -> Status {
    const auto& shape = result.output.shape();
    if (shape.size() != 3 || shape[0] != static_cast<int64_t>(result.count) ||
        shape[1] != static_cast<int64_t>(result.inputs.seq) || shape[2] != static_cast<int64_t>(vocab_size_)) {
      return RuntimeError(session.model_path() + ": output '" + session.output_name() +
                          "' is not [batch, sequence, " + std::to_string(vocab_size_) + "] masked-LM logits");
    }
    pooled.resize(result.count * vocab_size_);
    kernels::MaxPool(result.output.data(), result.inputs.mask.data(), result.count, result.inputs.seq,
                     vocab_size_, pooled.data());
    for (size_t r = 0; r < result.count; ++r) {
      float* row = pooled.data() + r * vocab_size_;
      SpladeActivate(activation_, row, vocab_size_);
      AppendSparseRow(row, vocab_size_, max_active_dims, &rows[result.rows[r]]);
    }
    return Status::Ok();
  }));
  ConcatenateSparseRows(rows, out);
  return Status::Ok();
}

void SpladeActivate(SpladeActivation activation, float* row, size_t vocab) {
  // log1p(relu(max)) == max(log1p(relu(x))): both functions are monotonic.
  const bool twice = activation == SpladeActivation::kLog1pRelu;
  for (size_t j = 0; j < vocab; ++j) {
    row[j] = row[j] > 0.0f ? std::log1p(row[j]) : (std::isnan(row[j]) ? row[j] : 0.0f);
    if (twice) row[j] = std::log1p(row[j]);
  }
}

void ConcatenateSparseRows(const std::vector<SparseRows>& rows, SparseRows* out) {
  *out = SparseRows();
  for (const SparseRows& row : rows) {
    out->indices.insert(out->indices.end(), row.indices.begin(), row.indices.end());
    out->values.insert(out->values.end(), row.values.begin(), row.values.end());
    out->offsets.push_back(static_cast<int64_t>(out->indices.size()));
  }
}

}  // namespace sk::pipeline
