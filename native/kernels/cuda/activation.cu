#include "kernels/cuda/activation.cuh"

#include "kernels/cuda/common.cuh"

namespace sk::cuda {
namespace {

template <typename T, Activation kActivation>
__global__ void BiasActivationKernel(T* values, const T* bias, size_t count, int columns) {
  for (size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<size_t>(gridDim.x) * blockDim.x) {
    // Rounded to T after the bias, as torch's Linear output is, then activated in fp32.
    const float x = ToFloat(FromFloat<T>(ToFloat(values[i]) + ToFloat(bias[i % columns])));
    float y;
    if constexpr (kActivation == Activation::kGeluErf) {
      y = 0.5f * x * (1.0f + erff(x * 0.70710678118654752f));
    } else if constexpr (kActivation == Activation::kGeluTanh) {
      y = 0.5f * x * (1.0f + tanhf(0.7978845608028654f * (x + 0.044715f * x * x * x)));
    } else {
      y = x > 0.0f ? x : 0.0f;
    }
    values[i] = FromFloat<T>(y);
  }
}

}  // namespace

template <typename T>
cudaError_t BiasActivation(T* values, const T* bias, int rows, int columns, Activation activation,
                           cudaStream_t stream) {
  const size_t count = static_cast<size_t>(rows) * columns;
  if (count == 0) return cudaSuccess;
  constexpr int kThreads = 256;
  const unsigned blocks = CeilDiv(count, kThreads) < 65535u * 8 ? CeilDiv(count, kThreads) : 65535u * 8;
  switch (activation) {
    case Activation::kGeluErf:
      BiasActivationKernel<T, Activation::kGeluErf><<<blocks, kThreads, 0, stream>>>(values, bias, count, columns);
      break;
    case Activation::kGeluTanh:
      BiasActivationKernel<T, Activation::kGeluTanh><<<blocks, kThreads, 0, stream>>>(values, bias, count, columns);
      break;
    case Activation::kRelu:
      BiasActivationKernel<T, Activation::kRelu><<<blocks, kThreads, 0, stream>>>(values, bias, count, columns);
      break;
  }
  return cudaGetLastError();
}

template cudaError_t BiasActivation<float>(float*, const float*, int, int, Activation, cudaStream_t);
template cudaError_t BiasActivation<__half>(__half*, const __half*, int, int, Activation, cudaStream_t);
template cudaError_t BiasActivation<__nv_bfloat16>(__nv_bfloat16*, const __nv_bfloat16*, int, int, Activation,
                                                   cudaStream_t);

}  // namespace sk::cuda
