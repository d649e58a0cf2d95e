// SparseEncoderModel on device 'cuda': texts tokenized here as on the CPU path, packed unpadded,
// and the engine returns each text's SPLADE weights (masked-LM head, relu → log1p → max over
// tokens, fused on the device); only the sparsification (AppendSparseRow) runs here.
#include <algorithm>

#include "pipeline/packed_batches.h"
#include "pipeline/sparse_encoder.h"

namespace sk::pipeline {
namespace {

// Tokens per engine call: the engine keeps [texts × vocab] maxima and a chunk of logits, not
// [tokens × vocab].
constexpr size_t kCudaBatchTokens = 16384;

}  // namespace

Status SparseEncoderModel::LoadCuda(const ModelFiles& files, const CudaPlacement& cuda, std::unique_ptr<SparseEncoderModel>* out,
                                    SpladeActivation activation) {
  if (files.max_length == 0) return InvalidArgument("max_length must be positive");
  std::unique_ptr<SparseEncoderModel> model(new SparseEncoderModel());
  model->files_ = files;
  model->activation_ = activation;
  SK_RETURN_IF_ERROR(model->model_.LoadTokenizer(files));
  SK_RETURN_IF_ERROR(LoadCudaEncoder(cuda, &model->cuda_));
  const SkCudaModelInfo& info = model->cuda_->info();
  if (info.has_mlm_head == 0) {
    return ModelLoadError(cuda.model_dir + "/model.safetensors has no masked-LM head the CUDA engine runs "
                          "(cls.predictions.* or lm_head.*)");
  }
  model->vocab_size_ = static_cast<size_t>(info.vocab_size);
  *out = std::move(model);
  return Status::Ok();
}

Status SparseEncoderModel::EncodeOnCuda(const std::vector<tok::Encoding>& encodings, size_t batch_size,
                                        size_t max_active_dims, SparseRows* out) const {
  *out = SparseRows();
  std::vector<float> weights;
  const bool twice = activation_ == SpladeActivation::kLog1pRelu;
  // Consecutive texts per batch, so rows are appended in input order.
  return ForEachPacked(encodings, std::max<size_t>(batch_size, 1), kCudaBatchTokens, [&](const PackedBatch& batch) -> Status {
    weights.resize(batch.rows.size() * vocab_size_);
    SK_RETURN_IF_ERROR(cuda_->EncodeSplade(batch.ids, batch.types, batch.cu, twice, weights.data()));
    for (size_t r = 0; r < batch.rows.size(); ++r) {
      AppendSparseRow(weights.data() + r * vocab_size_, vocab_size_, max_active_dims, out);
    }
    return Status::Ok();
  });
}

}  // namespace sk::pipeline
