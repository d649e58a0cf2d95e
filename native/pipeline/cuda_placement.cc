#include "pipeline/cuda_placement.h"

namespace sk::pipeline {

Status LoadCudaEncoder(const CudaPlacement& cuda, size_t max_length, std::unique_ptr<runtime::CudaEncoder>* out) {
  runtime::CudaEncoderOptions options;
  options.library_dir = cuda.library_dir;
  options.model_dir = cuda.model_dir;
  options.dtype = cuda.dtype;
  options.device = cuda.device;
  std::unique_ptr<runtime::CudaEncoder> encoder;
  SK_RETURN_IF_ERROR(runtime::CudaEncoder::Load(options, &encoder));
  const int positions = encoder->info().max_position;
  if (max_length > static_cast<size_t>(positions)) {
    return ModelLoadError("max_seq_length " + std::to_string(max_length) + " exceeds the model's " +
                          std::to_string(positions) + " positions");
  }
  *out = std::move(encoder);
  return Status::Ok();
}

}  // namespace sk::pipeline
