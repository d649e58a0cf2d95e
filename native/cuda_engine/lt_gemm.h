// Y[rows, out] = X[rows, in] · W[out, in]ᵀ (a Linear layer without its bias) through
// cuBLASLt, fp32 accumulation (CUBLAS_COMPUTE_32F: no TF32, so fp32 matches torch's default),
// with one plan per shape kept: heuristics run once per (rows, out, in).
#pragma once

#include <cublasLt.h>
#include <cuda_runtime.h>

#include <tuple>

#include "core/status.h"
#include "cuda_engine/cublaslt_library.h"
#include "cuda_engine/device_buffer.h"
#include "cuda_engine/lt_plan.h"

namespace sk::cuda {

class LtGemm {
 public:
  LtGemm();
  LtGemm(const LtGemm&) = delete;
  LtGemm& operator=(const LtGemm&) = delete;
  ~LtGemm();

  // data_type: CUDA_R_32F, CUDA_R_16F or CUDA_R_16BF (weights, inputs and outputs alike).
  Status Init(const CublasLtLibrary* lib, cudaDataType_t data_type);
  Status Run(const void* x, const void* w, void* y, int rows, int out, int in, cudaStream_t stream);

 private:
  Status MakePlan(int rows, int out, int in, LtPlan* plan);

  const CublasLtLibrary* lib_ = nullptr;
  cublasLtHandle_t handle_ = nullptr;
  cudaDataType_t data_type_ = CUDA_R_32F;
  DeviceBuffer workspace_;
  LtPlanCache<std::tuple<int, int, int>> plans_;
};

}  // namespace sk::cuda
