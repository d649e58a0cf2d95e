#include "kernels/cuda/pooling.cuh"

#include "kernels/cuda/common.cuh"

namespace sk::cuda {
namespace {

constexpr int kThreads = 128;

template <typename T>
__global__ void PoolKernel(const T* tokens, const int32_t* cu_seqlens, int hidden, PoolMode mode, int skip_leading,
                           float* out) {
  const int seq = blockIdx.x;
  const int start = cu_seqlens[seq];
  const int end = cu_seqlens[seq + 1];
  const int length = end - start;
  const int skip = min(skip_leading, length - 1 > 0 ? length - 1 : 0);
  float* row = out + static_cast<size_t>(seq) * hidden;
  for (int i = blockIdx.y * blockDim.x + threadIdx.x; i < hidden; i += gridDim.y * blockDim.x) {
    float result = 0.0f;
    if (length <= 0) {
      result = 0.0f;
    } else if (mode == PoolMode::kCls) {
      // The first pooled token, as the CPU kernel's "first masked-in token" with the prompt masked.
      result = ToFloat(tokens[static_cast<size_t>(start + skip) * hidden + i]);
    } else if (mode == PoolMode::kLastToken) {
      result = ToFloat(tokens[static_cast<size_t>(end - 1) * hidden + i]);
    } else if (mode == PoolMode::kMax) {
      result = -INFINITY;
      for (int t = start + skip; t < end; ++t) result = fmaxf(result, ToFloat(tokens[static_cast<size_t>(t) * hidden + i]));
    } else if (mode == PoolMode::kWeightedMean) {
      // sentence-transformers weighs token p (0-based, over the whole row) by p + 1.
      float sum = 0.0f, weights = 0.0f;
      for (int t = start + skip; t < end; ++t) {
        const float weight = static_cast<float>(t - start + 1);
        sum += weight * ToFloat(tokens[static_cast<size_t>(t) * hidden + i]);
        weights += weight;
      }
      result = sum / fmaxf(weights, 1e-9f);
    } else {
      float sum = 0.0f;
      for (int t = start + skip; t < end; ++t) sum += ToFloat(tokens[static_cast<size_t>(t) * hidden + i]);
      const float count = static_cast<float>(end - start - skip);
      result = mode == PoolMode::kMeanSqrtLen ? sum / sqrtf(count) : sum / fmaxf(count, 1e-9f);
    }
    row[i] = result;
  }
}

__global__ void L2NormalizeKernel(float* rows, int dimension) {
  __shared__ float scratch[32];
  float* row = rows + static_cast<size_t>(blockIdx.x) * dimension;
  float squares = 0.0f;
  for (int i = threadIdx.x; i < dimension; i += blockDim.x) squares += row[i] * row[i];
  const float norm = sqrtf(BlockSum(squares, scratch));
  const float inv = 1.0f / fmaxf(norm, 1e-12f);
  for (int i = threadIdx.x; i < dimension; i += blockDim.x) row[i] *= inv;
}

}  // namespace

template <typename T>
cudaError_t PoolSequences(const T* tokens, const int32_t* cu_seqlens, int num_seqs, int hidden, PoolMode mode,
                          int skip_leading, float* out, cudaStream_t stream) {
  if (num_seqs == 0) return cudaSuccess;
  const dim3 grid(num_seqs, CeilDiv(hidden, kThreads));
  PoolKernel<T><<<grid, kThreads, 0, stream>>>(tokens, cu_seqlens, hidden, mode, skip_leading < 0 ? 0 : skip_leading,
                                               out);
  return cudaGetLastError();
}

cudaError_t L2NormalizeRows(float* rows, int count, int dimension, cudaStream_t stream) {
  if (count == 0) return cudaSuccess;
  L2NormalizeKernel<<<count, 256, 0, stream>>>(rows, dimension);
  return cudaGetLastError();
}

template cudaError_t PoolSequences<float>(const float*, const int32_t*, int, int, PoolMode, int, float*, cudaStream_t);
template cudaError_t PoolSequences<__half>(const __half*, const int32_t*, int, int, PoolMode, int, float*,
                                           cudaStream_t);
template cudaError_t PoolSequences<__nv_bfloat16>(const __nv_bfloat16*, const int32_t*, int, int, PoolMode, int,
                                                  float*, cudaStream_t);

}  // namespace sk::cuda
