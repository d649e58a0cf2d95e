// Where a model runs when device is 'cuda': the CUDA engine (weights from model.safetensors
// and config.json in model_dir) instead of ONNX Runtime; tokenization and post-processing
// stay on the CPU, in the same order.
#pragma once

#include <string>

#include "runtime/cuda_backend_api.h"

namespace sk::pipeline {

struct CudaPlacement {
  bool enabled = false;
  std::string library_dir;  // where libsentencekit_cuda.so is (the addon's directory)
  std::string model_dir;
  SkCudaDtype dtype = SK_CUDA_DTYPE_FLOAT16;
  int device = 0;
};

}  // namespace sk::pipeline
