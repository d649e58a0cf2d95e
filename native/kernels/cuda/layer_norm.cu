#include "kernels/cuda/layer_norm.cuh"

#include "kernels/cuda/common.cuh"

namespace sk::cuda {
namespace {

constexpr int kThreads = 256;

// Normalizes the row this block holds in `row` (each thread its own strided elements, so no
// barrier is needed between writing and reading them) into `out`.
template <typename T>
__device__ void NormalizeRow(const float* row, float sum, int hidden, float eps, const T* gamma, const T* beta,
                             T* out, float* scratch) {
  const float mean = BlockSum(sum, scratch) / static_cast<float>(hidden);
  float squares = 0.0f;
  for (int i = threadIdx.x; i < hidden; i += blockDim.x) {
    const float centered = row[i] - mean;
    squares += centered * centered;
  }
  const float variance = BlockSum(squares, scratch) / static_cast<float>(hidden);
  const float inv_std = 1.0f / sqrtf(variance + eps);
  for (int i = threadIdx.x; i < hidden; i += blockDim.x) {
    out[i] = FromFloat<T>((row[i] - mean) * inv_std * ToFloat(gamma[i]) + ToFloat(beta[i]));
  }
}

template <typename T>
__global__ void EmbeddingLayerNormKernel(const int32_t* ids, const int32_t* type_ids, const int32_t* positions,
                                         const T* word, const T* position, const T* token_type, const T* gamma,
                                         const T* beta, int hidden, float eps, T* out) {
  extern __shared__ float row[];
  __shared__ float scratch[32];
  const size_t token = blockIdx.x;
  const T* word_row = word + static_cast<size_t>(ids[token]) * hidden;
  const T* position_row = position + static_cast<size_t>(positions[token]) * hidden;
  const T* type_row = token_type == nullptr ? nullptr
                      : token_type + static_cast<size_t>(type_ids == nullptr ? 0 : type_ids[token]) * hidden;
  float sum = 0.0f;
  for (int i = threadIdx.x; i < hidden; i += blockDim.x) {
    // torch's order and roundings in T: (word + token type) + position, each sum stored as T.
    float value = ToFloat(word_row[i]);
    if (type_row != nullptr) value = ToFloat(FromFloat<T>(value + ToFloat(type_row[i])));
    value = ToFloat(FromFloat<T>(value + ToFloat(position_row[i])));
    row[i] = value;
    sum += value;
  }
  NormalizeRow(row, sum, hidden, eps, gamma, beta, out + token * hidden, scratch);
}

template <typename T>
__global__ void BiasResidualLayerNormKernel(const T* projected, const T* bias, const T* gamma, const T* beta,
                                            int hidden, float eps, T* residual) {
  extern __shared__ float row[];
  __shared__ float scratch[32];
  const size_t offset = static_cast<size_t>(blockIdx.x) * hidden;
  float sum = 0.0f;
  for (int i = threadIdx.x; i < hidden; i += blockDim.x) {
    // Rounded to T after the bias (torch's Linear output) and after the residual add (a T
    // tensor too), so half precision follows torch's roundings; a no-op for float.
    const float biased = ToFloat(FromFloat<T>(ToFloat(projected[offset + i]) + ToFloat(bias[i])));
    const float value = ToFloat(FromFloat<T>(biased + ToFloat(residual[offset + i])));
    row[i] = value;
    sum += value;
  }
  NormalizeRow(row, sum, hidden, eps, gamma, beta, residual + offset, scratch);
}

}  // namespace

template <typename T>
cudaError_t EmbeddingLayerNorm(const int32_t* ids, const int32_t* type_ids, const int32_t* positions,
                               const T* word, const T* position, const T* token_type, const T* gamma,
                               const T* beta, int tokens, int hidden, float eps, T* out, cudaStream_t stream) {
  if (tokens == 0) return cudaSuccess;
  EmbeddingLayerNormKernel<T><<<tokens, kThreads, hidden * sizeof(float), stream>>>(
      ids, type_ids, positions, word, position, token_type, gamma, beta, hidden, eps, out);
  return cudaGetLastError();
}

template <typename T>
cudaError_t BiasResidualLayerNorm(const T* projected, const T* bias, const T* gamma, const T* beta, int tokens,
                                  int hidden, float eps, T* residual, cudaStream_t stream) {
  if (tokens == 0) return cudaSuccess;
  BiasResidualLayerNormKernel<T><<<tokens, kThreads, hidden * sizeof(float), stream>>>(projected, bias, gamma, beta,
                                                                                      hidden, eps, residual);
  return cudaGetLastError();
}

#define SK_INSTANTIATE(T)                                                                                       \
  template cudaError_t EmbeddingLayerNorm<T>(const int32_t*, const int32_t*, const int32_t*, const T*, const T*, \
                                             const T*, const T*, const T*, int, int, float, T*, cudaStream_t);   \
  template cudaError_t BiasResidualLayerNorm<T>(const T*, const T*, const T*, const T*, int, int, float, T*,     \
                                                cudaStream_t);
SK_INSTANTIATE(float)
SK_INSTANTIATE(__half)
SK_INSTANTIATE(__nv_bfloat16)
#undef SK_INSTANTIATE

}  // namespace sk::cuda
