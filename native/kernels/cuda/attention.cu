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
                                                                    float scale, T* out) {
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
      scores[j] = j < tile ? dot * scale : -INFINITY;
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
                   T* out, cudaStream_t stream) {
  const dim3 grid(CeilDiv(max_len, kQueryTile), heads, num_seqs);
  const float scale = 1.0f / sqrtf(static_cast<float>(kHeadDim));
  VarlenAttentionKernel<T, kHeadDim><<<grid, kQueryTile, 0, stream>>>(qkv, qkv_bias, cu_seqlens, heads, scale, out);
  return cudaGetLastError();
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
                            int heads, int head_dim, T* out, cudaStream_t stream) {
  if (num_seqs == 0 || max_len == 0) return cudaSuccess;
  if (num_seqs > 65535 || heads > 65535) return cudaErrorInvalidValue;
  switch (head_dim) {
    case 8: return Launch<T, 8>(qkv, qkv_bias, cu_seqlens, num_seqs, max_len, heads, out, stream);
    case 16: return Launch<T, 16>(qkv, qkv_bias, cu_seqlens, num_seqs, max_len, heads, out, stream);
    case 32: return Launch<T, 32>(qkv, qkv_bias, cu_seqlens, num_seqs, max_len, heads, out, stream);
    case 64: return Launch<T, 64>(qkv, qkv_bias, cu_seqlens, num_seqs, max_len, heads, out, stream);
    default: return cudaErrorInvalidValue;
  }
}

template cudaError_t VarlenAttention<float>(const float*, const float*, const int32_t*, int, int, int, int, float*,
                                            cudaStream_t);
template cudaError_t VarlenAttention<__half>(const __half*, const __half*, const int32_t*, int, int, int, int, __half*,
                                             cudaStream_t);
template cudaError_t VarlenAttention<__nv_bfloat16>(const __nv_bfloat16*, const __nv_bfloat16*, const int32_t*, int,
                                                    int, int, int, __nv_bfloat16*, cudaStream_t);

}  // namespace sk::cuda
