#include "kernels/cuda/convert.cuh"

#include "kernels/cuda/common.cuh"

namespace sk::cuda {
namespace {

template <typename T>
__global__ void ConvertKernel(const float* in, size_t count, T* out) {
  for (size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<size_t>(gridDim.x) * blockDim.x) {
    out[i] = FromFloat<T>(in[i]);
  }
}

}  // namespace

template <typename T>
cudaError_t ConvertFromFloat(const float* in, size_t count, T* out, cudaStream_t stream) {
  if (count == 0) return cudaSuccess;
  const unsigned blocks = CeilDiv(count, 256) < 65535u * 8 ? CeilDiv(count, 256) : 65535u * 8;
  ConvertKernel<T><<<blocks, 256, 0, stream>>>(in, count, out);
  return cudaGetLastError();
}

template cudaError_t ConvertFromFloat<float>(const float*, size_t, float*, cudaStream_t);
template cudaError_t ConvertFromFloat<__half>(const float*, size_t, __half*, cudaStream_t);
template cudaError_t ConvertFromFloat<__nv_bfloat16>(const float*, size_t, __nv_bfloat16*, cudaStream_t);

}  // namespace sk::cuda
