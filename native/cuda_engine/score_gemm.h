// Search scores through cuBLASLt: S[queries, rows] = Q[queries, dim] · C[rows, dim]ᵀ, row-major,
// for the three corpus types: float32 (fp32 compute, no TF32, so scores match the CPU's),
// float16 inputs with fp32 accumulation and output, and int8 with exact int32 accumulation.
// In cuBLASLt's column-major terms that is Sᵀ = C · Qᵀ with C transposed: the "TN" layout the
// int8 tensor-core kernels require. One plan per (queries, rows) shape is kept.
#pragma once

#include <cublasLt.h>
#include <cuda_runtime.h>

#include <tuple>

#include "core/status.h"
#include "cuda_engine/cublaslt_library.h"
#include "cuda_engine/device_buffer.h"
#include "cuda_engine/lt_plan.h"

namespace sk::cuda {

enum class ScoreType { kFloat32, kFloat16, kInt8 };

class ScoreGemm {
 public:
  ScoreGemm();
  ScoreGemm(const ScoreGemm&) = delete;
  ScoreGemm& operator=(const ScoreGemm&) = delete;
  ~ScoreGemm();

  // dim: the padded dimension (a multiple of 16, so every row is 16-byte aligned).
  Status Init(const CublasLtLibrary* lib, ScoreType type, int dim);
  // queries: [num_queries, dim]; rows: [num_rows, dim]; scores: [num_queries, ld] float32 (int32
  // for kInt8), of which the first num_rows columns are written. ld: a multiple of 16, >= num_rows.
  Status Run(const void* queries, int num_queries, const void* rows, int num_rows, void* scores, size_t ld,
             cudaStream_t stream);

 private:
  Status MakePlan(int num_queries, int num_rows, size_t ld, LtPlan* plan);

  const CublasLtLibrary* lib_ = nullptr;
  cublasLtHandle_t handle_ = nullptr;
  ScoreType type_ = ScoreType::kFloat32;
  int dim_ = 0;
  DeviceBuffer workspace_;
  LtPlanCache<std::tuple<int, int, size_t>> plans_;
};

}  // namespace sk::cuda
