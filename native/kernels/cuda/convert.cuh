// float32 → the engine's storage type, on the device (weights are uploaded as float32 once at
// load, then narrowed in place of a host-side half/bfloat16 conversion).
#pragma once

#include <cuda_runtime.h>

#include <cstddef>

namespace sk::cuda {

template <typename T>
cudaError_t ConvertFromFloat(const float* in, size_t count, T* out, cudaStream_t stream);

}  // namespace sk::cuda
