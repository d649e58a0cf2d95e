// cuBLASLt, opened with dlopen at run time so that nothing links against it: the CPU package
// never needs it, and a machine without it gets a clear reason instead of a loader error.
// Function types come from the real header (decltype), so a signature cannot drift.
#pragma once

#include <cublasLt.h>

#include <string>

namespace sk::cuda {

struct CublasLtLibrary {
  decltype(&::cublasLtCreate) Create = nullptr;
  decltype(&::cublasLtDestroy) Destroy = nullptr;
  decltype(&::cublasLtGetVersion) GetVersion = nullptr;
  decltype(&::cublasLtMatmulDescCreate) MatmulDescCreate = nullptr;
  decltype(&::cublasLtMatmulDescDestroy) MatmulDescDestroy = nullptr;
  decltype(&::cublasLtMatmulDescSetAttribute) MatmulDescSetAttribute = nullptr;
  decltype(&::cublasLtMatrixLayoutCreate) MatrixLayoutCreate = nullptr;
  decltype(&::cublasLtMatrixLayoutDestroy) MatrixLayoutDestroy = nullptr;
  decltype(&::cublasLtMatmulPreferenceCreate) MatmulPreferenceCreate = nullptr;
  decltype(&::cublasLtMatmulPreferenceDestroy) MatmulPreferenceDestroy = nullptr;
  decltype(&::cublasLtMatmulPreferenceSetAttribute) MatmulPreferenceSetAttribute = nullptr;
  decltype(&::cublasLtMatmulAlgoGetHeuristic) MatmulAlgoGetHeuristic = nullptr;
  decltype(&::cublasLtMatmul) Matmul = nullptr;

  // The process-wide library, opened on first use: $SENTENCEKIT_CUBLASLT_LIBRARY, then
  // libcublasLt.so.13 on the loader's path, then beside libsentencekit_cuda.so. nullptr (with
  // every attempt in `error`) when none opens.
  static const CublasLtLibrary* Get(std::string* error);
};

}  // namespace sk::cuda
