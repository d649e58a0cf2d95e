// The feed-forward block's bias + activation, in place on the intermediate GEMM output. Its
// own kernel rather than a cuBLASLt epilogue: the epilogue's GELU is the tanh approximation,
// and BERT's "gelu" is the exact erf form (fp32 parity would miss 1e-4 otherwise).
#pragma once

#include <cuda_runtime.h>

#include "model/activation.h"

namespace sk::cuda {

using model::Activation;

template <typename T>
cudaError_t BiasActivation(T* values, const T* bias, int rows, int columns, Activation activation,
                           cudaStream_t stream);

}  // namespace sk::cuda
