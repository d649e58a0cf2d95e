#include "pipeline/cuda_placement.h"

namespace sk::pipeline {

Status LoadCudaEncoder(const CudaPlacement& cuda, std::unique_ptr<runtime::CudaEncoder>* out) {
  runtime::CudaEncoderOptions options;
  options.library_dir = cuda.library_dir;
  options.model_dir = cuda.model_dir;
  options.dtype = cuda.dtype;
  options.device = cuda.device;
  std::unique_ptr<runtime::CudaEncoder> encoder;
  SK_RETURN_IF_ERROR(runtime::CudaEncoder::Load(options, &encoder));
  *out = std::move(encoder);
  return Status::Ok();
}

}  // namespace sk::pipeline
