#include "kernels/cuda/search_rows.cuh"

#include "kernels/cuda/common.cuh"

namespace sk::cuda {
namespace {

constexpr int kThreads = 128;

// One block per row: the norm is a block sum, then the row is written padded.
template <typename T>
__global__ void StoreKernel(const float* in, int dim, int padded_dim, T* out, float* inverse_norms) {
  __shared__ float scratch[32];
  const size_t row = blockIdx.x;
  const float* source = in + row * dim;
  T* target = out + row * padded_dim;
  float sum = 0.0f;
  for (int i = threadIdx.x; i < padded_dim; i += blockDim.x) {
    const float value = i < dim ? source[i] : 0.0f;
    sum += value * value;
    target[i] = FromFloat<T>(value);
  }
  if (inverse_norms != nullptr) {
    const float total = BlockSum(sum, scratch);
    if (threadIdx.x == 0) inverse_norms[row] = 1.0f / fmaxf(sqrtf(total), 1e-12f);
  }
}

__global__ void NormalizeKernel(float* rows, int dim) {
  __shared__ float scratch[32];
  float* row = rows + static_cast<size_t>(blockIdx.x) * dim;
  float sum = 0.0f;
  for (int i = threadIdx.x; i < dim; i += blockDim.x) sum += row[i] * row[i];
  const float scale = 1.0f / fmaxf(sqrtf(BlockSum(sum, scratch)), 1e-12f);
  for (int i = threadIdx.x; i < dim; i += blockDim.x) row[i] *= scale;
}

}  // namespace

template <typename T>
cudaError_t StorePaddedRows(const float* in, size_t rows, int dim, int padded_dim, T* out, float* inverse_norms,
                            cudaStream_t stream) {
  if (dim <= 0 || padded_dim < dim || rows > 0x7fffffffu) return cudaErrorInvalidValue;
  if (rows == 0) return cudaSuccess;
  StoreKernel<T><<<static_cast<unsigned>(rows), kThreads, 0, stream>>>(in, dim, padded_dim, out, inverse_norms);
  return cudaGetLastError();
}

template cudaError_t StorePaddedRows<float>(const float*, size_t, int, int, float*, float*, cudaStream_t);
template cudaError_t StorePaddedRows<__half>(const float*, size_t, int, int, __half*, float*, cudaStream_t);

cudaError_t NormalizeRowsInPlace(float* rows, size_t count, int dim, cudaStream_t stream) {
  if (dim <= 0 || count > 0x7fffffffu) return cudaErrorInvalidValue;
  if (count == 0) return cudaSuccess;
  NormalizeKernel<<<static_cast<unsigned>(count), kThreads, 0, stream>>>(rows, dim);
  return cudaGetLastError();
}

}  // namespace sk::cuda
