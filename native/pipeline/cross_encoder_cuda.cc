// CrossEncoderModel on device 'cuda': pairs tokenized here as on the CPU path, packed unpadded,
// and the engine returns the classification head's raw logits; the caller applies the
// activation exactly as it does for the CPU path's logits.
#include <algorithm>

#include "pipeline/cross_encoder.h"
#include "pipeline/packed_batches.h"

namespace sk::pipeline {
namespace {

constexpr size_t kCudaBatchTokens = 16384;

}  // namespace

Status CrossEncoderModel::LoadCuda(const ModelFiles& files, const CudaPlacement& cuda,
                                   std::unique_ptr<CrossEncoderModel>* out) {
  if (files.max_length == 0) return InvalidArgument("max_length must be positive");
  std::unique_ptr<CrossEncoderModel> model(new CrossEncoderModel());
  model->files_ = files;
  SK_RETURN_IF_ERROR(model->model_.LoadTokenizer(files));
  SK_RETURN_IF_ERROR(LoadCudaEncoder(cuda, &model->cuda_));
  const SkCudaModelInfo& info = model->cuda_->info();
  if (info.num_labels <= 0) {
    return ModelLoadError(cuda.model_dir + "/model.safetensors has no sequence-classification head the CUDA engine "
                          "runs (BERT's pooler + classifier, or classifier.dense + classifier.out_proj)");
  }
  model->num_labels_ = static_cast<size_t>(info.num_labels);
  *out = std::move(model);
  return Status::Ok();
}

Status CrossEncoderModel::PredictOnCuda(const std::vector<tok::Encoding>& encodings, size_t batch_size,
                                        float* out) const {
  std::vector<float> logits;
  return ForEachPacked(encodings, std::max<size_t>(batch_size, 1), kCudaBatchTokens, [&](const PackedBatch& batch) -> Status {
    logits.resize(batch.rows.size() * num_labels_);
    SK_RETURN_IF_ERROR(cuda_->EncodeLogits(batch.ids, batch.types, batch.cu, logits.data()));
    for (size_t r = 0; r < batch.rows.size(); ++r) {
      std::copy_n(logits.data() + r * num_labels_, num_labels_, out + batch.rows[r] * num_labels_);
    }
    return Status::Ok();
  });
}

}  // namespace sk::pipeline
