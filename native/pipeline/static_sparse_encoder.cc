#include "pipeline/static_sparse_encoder.h"

#include <algorithm>
#include <cmath>

#include "pipeline/token_id_input.h"

namespace sk::pipeline {

Status StaticSparseEncoderModel::Load(StaticSparseFiles files, std::unique_ptr<StaticSparseEncoderModel>* out) {
  std::unique_ptr<StaticSparseEncoderModel> model(new StaticSparseEncoderModel());
  if (files.tokenizer_json.empty()) {
    SK_RETURN_IF_ERROR(tok::Tokenizer::FromFile(files.tokenizer_path, &model->tokenizer_));
  } else {
    Status status = tok::Tokenizer::FromJson(files.tokenizer_json, &model->tokenizer_);
    if (!status.ok()) return Status(status.code(), files.tokenizer_path + ": " + status.message());
  }
  if (model->tokenizer_->VocabSize() > files.weights.size()) {
    return ModelLoadError(files.tokenizer_path + ": the tokenizer has " + std::to_string(model->tokenizer_->VocabSize()) +
                          " tokens but the static weights cover only " + std::to_string(files.weights.size()));
  }
  model->max_length_ = files.max_length;
  model->weights_ = std::move(files.weights);
  *out = std::move(model);
  return Status::Ok();
}

Status AppendStaticSparseRow(const std::vector<int64_t>& ids, const std::vector<float>& weights,
                             size_t max_active_dims, SparseRows* out) {
  std::vector<int64_t> distinct(ids);
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  std::vector<int32_t> indices;
  std::vector<float> values;
  for (int64_t id : distinct) {
    if (id < 0 || static_cast<uint64_t>(id) >= weights.size()) {
      // Python's scatter would fail the same way: the weights must cover the vocabulary.
      return InvalidArgument("token id " + std::to_string(id) + " has no static weight (the weights cover " +
                             std::to_string(weights.size()) + " ids)");
    }
    const float weight = weights[static_cast<size_t>(id)];
    if (weight != 0.0f) {  // NaN is kept: a broken weight file shows instead of hiding
      indices.push_back(static_cast<int32_t>(id));
      values.push_back(weight);
    }
  }
  if (max_active_dims > 0 && indices.size() > max_active_dims) {
    std::vector<size_t> order(indices.size());
    for (size_t k = 0; k < order.size(); ++k) order[k] = k;
    // Largest magnitude first (select_max_active_dims ranks by |value|); ties to the lower id.
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return std::fabs(values[a]) > std::fabs(values[b]); });
    order.resize(max_active_dims);
    std::sort(order.begin(), order.end());
    for (size_t k = 0; k < order.size(); ++k) {
      indices[k] = indices[order[k]];
      values[k] = values[order[k]];
    }
    indices.resize(max_active_dims);
    values.resize(max_active_dims);
  }
  out->indices.insert(out->indices.end(), indices.begin(), indices.end());
  out->values.insert(out->values.end(), values.begin(), values.end());
  out->offsets.push_back(static_cast<int64_t>(out->indices.size()));
  return Status::Ok();
}

Status StaticSparseEncoderModel::Encode(const std::vector<std::string>& texts, size_t max_active_dims,
                                        SparseRows* out) const {
  // SparseStaticEmbedding.preprocess: tokenizer(..., truncation=True, add_special_tokens=False).
  tok::EncodeOptions options;
  options.add_special_tokens = false;
  options.max_length = max_length_;
  *out = SparseRows();
  // Python scatters the attention mask into the presence vector, so the padding of a batch
  // writes 0 at the pad id after the real tokens: a "[PAD]" typed in the text is dropped
  // whenever its row is padded. We always drop it, so a row never depends on its batch
  // (Python keeps it only in the rows its batch does not pad).
  const int64_t pad_id = tokenizer_->PadId();
  tok::Encoding encoding;
  std::vector<int64_t> ids;
  for (const std::string& text : texts) {
    SK_RETURN_IF_ERROR(tokenizer_->Encode(text, options, &encoding));
    ids.clear();
    for (int64_t id : encoding.ids) if (id != pad_id) ids.push_back(id);
    SK_RETURN_IF_ERROR(AppendStaticSparseRow(ids, weights_, max_active_dims, out));
  }
  return Status::Ok();
}

Status StaticSparseEncoderModel::EncodeIds(const std::vector<std::vector<int64_t>>& ids, size_t max_active_dims,
                                           SparseRows* out) const {
  std::vector<tok::Encoding> encodings;
  // Encode() truncates on the right (EncodeOptions' default side).
  SK_RETURN_IF_ERROR(EncodingsFromIds(ids, tokenizer_->VocabSize(), max_length_, tok::TruncationSide::kRight, 0, &encodings));
  *out = SparseRows();
  const int64_t pad_id = tokenizer_->PadId();
  std::vector<int64_t> kept;
  for (const tok::Encoding& encoding : encodings) {
    kept.clear();
    for (int64_t id : encoding.ids) if (id != pad_id) kept.push_back(id);
    SK_RETURN_IF_ERROR(AppendStaticSparseRow(kept, weights_, max_active_dims, out));
  }
  return Status::Ok();
}

}  // namespace sk::pipeline
