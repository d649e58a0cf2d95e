// Where a model runs when device is 'cuda': the CUDA engine (weights from model.safetensors
// and config.json in model_dir) instead of ONNX Runtime; tokenization and post-processing
// stay on the CPU, in the same order.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "core/status.h"
#include "runtime/cuda_backend.h"
#include "runtime/cuda_backend_api.h"

namespace sk::pipeline {

struct CudaPlacement {
  bool enabled = false;
  std::string library_dir;  // where libsentencekit_cuda.so is (the addon's directory)
  std::string model_dir;
  SkCudaDtype dtype = SK_CUDA_DTYPE_FLOAT16;
  int device = 0;
};

// Loads the CUDA engine for `cuda`. A max_seq_length past the model's positions is accepted,
// as in Python; each call checks its inputs instead (pipeline/position_limit.h).
Status LoadCudaEncoder(const CudaPlacement& cuda, std::unique_ptr<runtime::CudaEncoder>* out);

// The longest input the engine has positions for.
inline size_t CudaPositions(const runtime::CudaEncoder& encoder) { return static_cast<size_t>(encoder.info().max_position); }

}  // namespace sk::pipeline
