#include "kernels/cuda/attention.cuh"

#include <cmath>

#include "kernels/cuda/common.cuh"

namespace sk::cuda {
namespace {

// One block per (query tile, head, sequence), one thread per query row. Keys and values of the
// head are staged in shared memory tile by tile (every thread reads the same key at once, a
// broadcast), and each thread keeps its query, its output accumulator and its running
// max / sum in registers.
constexpr int kQueryTile = 64;

template <int kHeadDim>
struct KeyTile {
  static constexpr int kRows = 32;
};

template <typename T, int kHeadDim>
__global__ void __launch_bounds__(kQueryTile) VarlenAttentionKernel(const T* qkv, const T* qkv_bias,
                                                                    const int32_t* cu_seqlens, int heads,
                                                                    float scale, const float* position_bias,
                                                                    int bias_span, T* out) {
  constexpr int kKeys = KeyTile<kHeadDim>::kRows;
  __shared__ __align__(16) float keys[kKeys][kHeadDim];
  __shared__ __align__(16) float values[kKeys][kHeadDim];

  const int seq = blockIdx.z;
  const int head = blockIdx.y;
  const int start = cu_seqlens[seq];
  const int length = cu_seqlens[seq + 1] - start;
  const int first_query = blockIdx.x * kQueryTile;
  if (first_query >= length) return;  // the whole block leaves together, before any barrier

  const int hidden = heads * kHeadDim;
  const size_t stride = 3 * static_cast<size_t>(hidden);
  const int query = first_query + threadIdx.x;
  const bool active = query < length;

  float q[kHeadDim];
  float acc[kHeadDim];
#pragma unroll
  for (int d = 0; d < kHeadDim; ++d) {
    acc[d] = 0.0f;
    q[d] = 0.0f;
  }
  if (active) {
    const T* row = qkv + (start + query) * stride + head * kHeadDim;
    const T* bias = qkv_bias + head * kHeadDim;
#pragma unroll
    for (int d = 0; d < kHeadDim; ++d) q[d] = ToFloat(FromFloat<T>(ToFloat(row[d]) + ToFloat(bias[d])));
  }
  float running_max = -INFINITY;
  float running_sum = 0.0f;
  // This head's bias row, indexed by key - query + bias_span - 1.
  const float* bias_row = position_bias == nullptr ? nullptr
                          : position_bias + static_cast<size_t>(head) * (2 * bias_span - 1) + (bias_span - 1) - query;

  for (int key0 = 0; key0 < length; key0 += kKeys) {
    const int tile = min(kKeys, length - key0);
    __syncthreads();
    for (int i = threadIdx.x; i < kKeys * kHeadDim; i += blockDim.x) {
      const int j = i / kHeadDim;
      const int d = i % kHeadDim;
      float k = 0.0f, v = 0.0f;
      if (j < tile) {
        const T* row = qkv + (start + key0 + j) * stride + head * kHeadDim + d;
        k = ToFloat(FromFloat<T>(ToFloat(row[hidden]) + ToFloat(qkv_bias[hidden + head * kHeadDim + d])));
        v = ToFloat(FromFloat<T>(ToFloat(row[2 * hidden]) + ToFloat(qkv_bias[2 * hidden + head * kHeadDim + d])));
      }
      keys[j][d] = k;
      values[j][d] = v;
    }
    __syncthreads();
    if (!active) continue;

    float scores[kKeys];
    float tile_max = running_max;
#pragma unroll
    for (int j = 0; j < kKeys; ++j) {
      float dot = 0.0f;
#pragma unroll
      for (int d = 0; d < kHeadDim; ++d) dot = fmaf(q[d], keys[j][d], dot);
      float score = dot * scale;
      if (bias_row != nullptr && j < tile) score += bias_row[key0 + j];
      scores[j] = j < tile ? score : -INFINITY;
      tile_max = fmaxf(tile_max, scores[j]);
    }
    // tile_max is finite: every tile holds at least one real key.
    const float correction = expf(running_max - tile_max);
    running_sum *= correction;
#pragma unroll
    for (int d = 0; d < kHeadDim; ++d) acc[d] *= correction;
#pragma unroll
    for (int j = 0; j < kKeys; ++j) {
      const float p = expf(scores[j] - tile_max);  // 0 for the tile's missing keys
      running_sum += p;
#pragma unroll
      for (int d = 0; d < kHeadDim; ++d) acc[d] = fmaf(p, values[j][d], acc[d]);
    }
    running_max = tile_max;
  }

  if (active) {
    T* row = out + static_cast<size_t>(start + query) * hidden + head * kHeadDim;
    const float inv_sum = 1.0f / running_sum;
#pragma unroll
    for (int d = 0; d < kHeadDim; ++d) row[d] = FromFloat<T>(acc[d] * inv_sum);
  }
}

template <typename T, int kHeadDim>
cudaError_t Launch(const T* qkv, const T* qkv_bias, const int32_t* cu_seqlens, int num_seqs, int max_len, int heads,
                   const float* position_bias, int bias_span, T* out, cudaStream_t stream) {
  const dim3 grid(CeilDiv(max_len, kQueryTile), heads, num_seqs);
  const float scale = 1.0f / sqrtf(static_cast<float>(kHeadDim));
  VarlenAttentionKernel<T, kHeadDim><<<grid, kQueryTile, 0, stream>>>(qkv, qkv_bias, cu_seqlens, heads, scale,
                                                                      position_bias, bias_span, out);
  return cudaGetLastError();
}

// transformers' MPNetEncoder.relative_position_bucket for relative_position = key - query.
__device__ int RelativeBucket(int relative_position, int num_buckets) {
  int n = -relative_position;
  const int half = num_buckets / 2;
  int bucket = n < 0 ? half : 0;
  n = abs(n);
  const int max_exact = half / 2;
  if (n < max_exact) return bucket + n;
  // Same float32 steps as torch: log(n / max_exact) / log(max_distance / max_exact) * (half - max_exact).
  const float large = logf(static_cast<float>(n) / static_cast<float>(max_exact)) /
                      static_cast<float>(log(128.0 / static_cast<double>(max_exact))) *
                      static_cast<float>(half - max_exact);
  return bucket + min(max_exact + static_cast<int>(large), half - 1);
}

template <typename T>
__global__ void RelativePositionBiasKernel(const T* weight, int num_buckets, int heads, int span, float* out) {
  const int width = 2 * span - 1;
  const int index = blockIdx.x * blockDim.x + threadIdx.x;
  if (index >= width * heads) return;
  const int head = index / width;
  const int relative = index % width - (span - 1);
  out[index] = ToFloat(weight[RelativeBucket(relative, num_buckets) * heads + head]);
}

}  // namespace

// The seeds' head sizes (MiniLM 32; BERT-base, RoBERTa, MPNet 64) and the test fixtures' (8, 16).
// Each one is a separate, fully unrolled kernel, so more cost compile time; 128 would also
// spill registers as written.
bool AttentionSupportsHeadDim(int head_dim) {
  return head_dim == 8 || head_dim == 16 || head_dim == 32 || head_dim == 64;
}

template <typename T>
cudaError_t VarlenAttention(const T* qkv, const T* qkv_bias, const int32_t* cu_seqlens, int num_seqs, int max_len,
                            int heads, int head_dim, const float* position_bias, int bias_span, T* out,
                            cudaStream_t stream) {
  if (num_seqs == 0 || max_len == 0) return cudaSuccess;
  if (position_bias != nullptr && max_len > bias_span) return cudaErrorInvalidValue;
  if (num_seqs > 65535 || heads > 65535) return cudaErrorInvalidValue;
  switch (head_dim) {
    case 8: return Launch<T, 8>(qkv, qkv_bias, cu_seqlens, num_seqs, max_len, heads, position_bias, bias_span, out, stream);
    case 16: return Launch<T, 16>(qkv, qkv_bias, cu_seqlens, num_seqs, max_len, heads, position_bias, bias_span, out, stream);
    case 32: return Launch<T, 32>(qkv, qkv_bias, cu_seqlens, num_seqs, max_len, heads, position_bias, bias_span, out, stream);
    case 64: return Launch<T, 64>(qkv, qkv_bias, cu_seqlens, num_seqs, max_len, heads, position_bias, bias_span, out, stream);
    default: return cudaErrorInvalidValue;
  }
}

template <typename T>
cudaError_t BuildRelativePositionBias(const T* weight, int num_buckets, int heads, int span, float* out,
                                      cudaStream_t stream) {
  const int count = (2 * span - 1) * heads;
  if (count <= 0) return cudaSuccess;
  RelativePositionBiasKernel<T><<<CeilDiv(count, 256), 256, 0, stream>>>(weight, num_buckets, heads, span, out);
  return cudaGetLastError();
}

#define SK_INSTANTIATE(T)                                                                                          \
  template cudaError_t VarlenAttention<T>(const T*, const T*, const int32_t*, int, int, int, int, const float*, int, \
                                          T*, cudaStream_t);                                                        \
  template cudaError_t BuildRelativePositionBias<T>(const T*, int, int, int, float*, cudaStream_t);
SK_INSTANTIATE(float)
SK_INSTANTIATE(__half)
SK_INSTANTIATE(__nv_bfloat16)
#undef SK_INSTANTIATE

}  // namespace sk::cuda
