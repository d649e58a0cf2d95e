// CrossEncoderModel with cpuEngine 'int8' or 'bf16x3': pairs tokenized here as on the ONNX path,
// packed unpadded, encoded on the CPU engine's lanes; each sequence's first token goes through the
// classification head in fp32, and the caller applies the activation to the raw logits exactly
// as it does for the ONNX path's.
#include <mutex>

#include "pipeline/batch_cut.h"
#include "pipeline/cross_encoder.h"
#include "pipeline/cpu_engine_batches.h"

namespace sk::pipeline {

Status CrossEncoderModel::LoadCpuEngine(const ModelFiles& files, const CpuEnginePlacement& cpu_engine,
                                   std::unique_ptr<CrossEncoderModel>* out) {
  if (files.max_length == 0) return InvalidArgument("max_length must be positive");
  std::unique_ptr<CrossEncoderModel> model(new CrossEncoderModel());
  model->files_ = files;
  SK_RETURN_IF_ERROR(model->model_.LoadTokenizer(files));
  SK_RETURN_IF_ERROR(LoadCpuEncoder(cpu_engine, false, &model->engine_));
  const model::EncoderConfig& config = model->engine_->config();
  SK_RETURN_IF_ERROR(ClassificationHead::Load(cpu_engine.model_dir, static_cast<size_t>(config.hidden_size), &model->head_));
  model->num_labels_ = model->head_.num_labels();
  *out = std::move(model);
  return Status::Ok();
}

Status CrossEncoderModel::PredictOnCpuEngine(const std::vector<tok::Encoding>& encodings, float* out) const {
  std::vector<PackedBatch> batches;
  SK_RETURN_IF_ERROR(CollectEngineBatches(encodings, kCpuBatchTokens, &batches));
  // The engine's lanes and buffers are shared by every call: one call at a time.
  std::lock_guard<std::mutex> lock(model_.run_mutex);
  const size_t H = static_cast<size_t>(engine_->config().hidden_size);
  struct LaneScratch {
    std::vector<float> first, head;
  };
  std::vector<LaneScratch> scratch(engine_->lanes());
  return ForEachEngineBatch(*engine_, batches.size(), [&](size_t index, size_t lane, bool split) -> Status {
    const PackedBatch& batch = batches[index];
    const float* hidden = nullptr;
    SK_RETURN_IF_ERROR(engine_->Forward(EngineSequences(batch), lane, split, &hidden));
    LaneScratch& own = scratch[lane];
    const size_t rows = batch.rows.size();
    own.first.resize(rows * H);
    for (size_t r = 0; r < rows; ++r) std::copy_n(hidden + static_cast<size_t>(batch.cu[r]) * H, H, own.first.data() + r * H);
    std::vector<float> logits(rows * num_labels_);
    head_.Apply(own.first.data(), rows, logits.data(), own.head);
    for (size_t r = 0; r < rows; ++r) std::copy_n(logits.data() + r * num_labels_, num_labels_, out + batch.rows[r] * num_labels_);
    return Status::Ok();
  });
}

}  // namespace sk::pipeline
