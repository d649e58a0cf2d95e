#include "pipeline/sparse_encoder.h"

#include <algorithm>
#include <cmath>

#include "pipeline/token_id_input.h"

namespace sk::pipeline {

Status SparseEncoderModel::Load(const ModelFiles& files, const Placement& placement,
                                std::unique_ptr<SparseEncoderModel>* out, SpladeActivation activation) {
  std::unique_ptr<SparseEncoderModel> model(new SparseEncoderModel());
  model->files_ = files;
  model->activation_ = activation;
  SK_RETURN_IF_ERROR(model->tokenizer_.Load(files));
  SK_RETURN_IF_ERROR(LoadEncoderBackend(files, placement, Head::kMaskedLm, model->tokenizer_, &model->backend_));
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
  std::vector<tok::Encoding> encodings;
  SK_RETURN_IF_ERROR(tokenizer_.Encode(files_, texts, max_length, backend_->max_positions(), &encodings));
  return Run(encodings, batch_size, max_active_dims, out);
}

Status SparseEncoderModel::EncodeIds(const std::vector<std::vector<int64_t>>& ids, size_t batch_size,
                                     size_t max_active_dims, size_t max_length, SparseRows* out) const {
  std::vector<tok::Encoding> encodings;
  SK_RETURN_IF_ERROR(EncodingsFromIds(ids, tokenizer_.tokenizer->VocabSize(), files_.MaxLength(max_length),
                                      tokenizer_.Side(TokenizerSide::kTokenizer), backend_->max_positions(), &encodings));
  return Run(encodings, batch_size, max_active_dims, out);
}

Status SparseEncoderModel::Run(const std::vector<tok::Encoding>& encodings, size_t batch_size, size_t max_active_dims,
                               SparseRows* out) const {
  // Batches may arrive in any order (and at once from several lanes); keep each text's sparse
  // entries until all are done.
  std::vector<SparseRows> rows(encodings.size());
  const size_t vocab = vocab_size();
  SK_RETURN_IF_ERROR(backend_->SpladeWeights(encodings, BatchLimits{batch_size}, activation_,
                                             [&](const BatchRows& batch, const float* weights) {
    for (size_t r = 0; r < batch.count; ++r) {
      AppendSparseRow(weights + r * vocab, vocab, max_active_dims, &rows[batch.rows[r]]);
    }
    return Status::Ok();
  }));
  ConcatenateSparseRows(rows, out);
  return Status::Ok();
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
