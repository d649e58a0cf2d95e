// Self-attention over unpadded, variable-length sequences: tokens of every sequence packed back
// to back, sequence i spanning rows [cu_seqlens[i], cu_seqlens[i + 1]). No work on padding,
// because there is none.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace sk::cuda {

// The head dimensions the kernel is compiled for (8, 16, 32, 64).
bool AttentionSupportsHeadDim(int head_dim);

// qkv: [tokens, 3 * heads * head_dim] (query | key | value, each head-major), without bias;
// qkv_bias: [3 * heads * head_dim]. out: [tokens, heads * head_dim] = softmax(q kᵀ / √d) v per
// head, softmax and accumulation in fp32 (online softmax over key tiles, as flash attention).
// max_len is the longest sequence (it sizes the grid). position_bias, when not null, is MPNet's
// relative position bias added to the scaled scores: [heads, 2 * bias_span - 1] floats, entry
// (key - query + bias_span - 1) per head (see BuildRelativePositionBias).
template <typename T>
cudaError_t VarlenAttention(const T* qkv, const T* qkv_bias, const int32_t* cu_seqlens, int num_seqs, int max_len,
                            int heads, int head_dim, const float* position_bias, int bias_span, T* out,
                            cudaStream_t stream);

// MPNet's relative position bias for every offset key - query in (-span, span): the bucket of
// transformers' MPNetEncoder.relative_position_bucket (num_buckets, max_distance 128), computed
// on the device with the same float32 operations torch runs there, then looked up in
// weight[num_buckets, heads]. out: [heads, 2 * span - 1].
template <typename T>
cudaError_t BuildRelativePositionBias(const T* weight, int num_buckets, int heads, int span, float* out,
                                      cudaStream_t stream);

}  // namespace sk::cuda
