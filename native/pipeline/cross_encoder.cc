#include "pipeline/cross_encoder.h"

#include <algorithm>

#include "pipeline/position_limit.h"
#include "pipeline/sorted_batches.h"

namespace sk::pipeline {

Status CrossEncoderModel::Load(const ModelFiles& files, std::unique_ptr<CrossEncoderModel>* out) {
  std::unique_ptr<CrossEncoderModel> model(new CrossEncoderModel());
  model->files_ = files;
  SK_RETURN_IF_ERROR(model->model_.Load(files));
  SK_RETURN_IF_ERROR(model->model_.LastDimension(files.max_length, &model->num_labels_));
  *out = std::move(model);
  return Status::Ok();
}

Status CrossEncoderModel::Predict(const std::vector<std::pair<std::string, std::string>>& pairs,
                                  size_t batch_size, size_t max_length, float* out) const {
  tok::EncodeOptions options;
  options.max_length = files_.MaxLength(max_length);
  options.side = model_.truncation_side;
  std::vector<tok::Encoding> encodings(pairs.size());
  for (size_t i = 0; i < pairs.size(); ++i) {
    SK_RETURN_IF_ERROR(model_.tokenizer->EncodePair(pairs[i].first, pairs[i].second, options, &encodings[i]));
  }
  if (cuda_) {
    SK_RETURN_IF_ERROR(CheckPositionLimit(encodings, CudaPositions(*cuda_)));
    return PredictOnCuda(encodings, batch_size, out);
  }
  if (engine_) {
    SK_RETURN_IF_ERROR(CheckPositionLimit(encodings, EnginePositions(*engine_)));
    return PredictOnCpuEngine(encodings, out);
  }
  const ort::OrtSession& session = *model_.session;
  return RunSortedBatches(model_, encodings, BatchLimits{batch_size, kCpuBatchTokens},
                          [&](const BatchResult& result) -> Status {
    const auto& shape = result.output.shape();
    if (shape.size() != 2 || shape[0] != static_cast<int64_t>(result.count) ||
        shape[1] != static_cast<int64_t>(num_labels_)) {
      return RuntimeError(session.model_path() + ": output '" + session.output_name() +
                          "' is not [batch, " + std::to_string(num_labels_) + "] logits");
    }
    for (size_t r = 0; r < result.count; ++r) {
      std::copy_n(result.output.data() + r * num_labels_, num_labels_, out + result.rows[r] * num_labels_);
    }
    return Status::Ok();
  });
}

}  // namespace sk::pipeline
