#include "pipeline/cross_encoder.h"

#include <algorithm>

namespace sk::pipeline {

Status CrossEncoderModel::Load(const ModelFiles& files, const Placement& placement,
                               std::unique_ptr<CrossEncoderModel>* out) {
  std::unique_ptr<CrossEncoderModel> model(new CrossEncoderModel());
  model->files_ = files;
  SK_RETURN_IF_ERROR(model->tokenizer_.Load(files));
  SK_RETURN_IF_ERROR(LoadEncoderBackend(files, placement, Head::kClassifier, model->tokenizer_, &model->backend_));
  *out = std::move(model);
  return Status::Ok();
}

Status CrossEncoderModel::Predict(const std::vector<std::pair<std::string, std::string>>& pairs,
                                  size_t batch_size, size_t max_length, float* out) const {
  std::vector<tok::Encoding> encodings;
  SK_RETURN_IF_ERROR(tokenizer_.EncodePairs(files_, pairs, max_length, backend_->max_positions(), &encodings));
  return Logits(encodings, batch_size, out);
}

Status CrossEncoderModel::PredictTexts(const std::vector<std::string>& texts, size_t batch_size, size_t max_length,
                                       float* out) const {
  std::vector<tok::Encoding> encodings;
  SK_RETURN_IF_ERROR(tokenizer_.Encode(files_, texts, max_length, backend_->max_positions(), &encodings));
  return Logits(encodings, batch_size, out);
}

Status CrossEncoderModel::Logits(const std::vector<tok::Encoding>& encodings, size_t batch_size, float* out) const {
  const size_t labels = num_labels();
  return backend_->Logits(encodings, BatchLimits{batch_size}, [&](const BatchRows& rows, const float* logits) {
    for (size_t r = 0; r < rows.count; ++r) std::copy_n(logits + r * labels, labels, out + rows.rows[r] * labels);
    return Status::Ok();
  });
}

}  // namespace sk::pipeline
