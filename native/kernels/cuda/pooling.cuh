// Pooling of packed token embeddings into one fp32 row per sequence (sentence-transformers'
// Pooling modes), and the L2 normalization after it.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace sk::cuda {

enum class PoolMode { kMean = 0, kCls = 1, kMax = 2, kMeanSqrtLen = 3, kLastToken = 4, kWeightedMean = 5 };

// tokens: [cu_seqlens[num_seqs], hidden]; out: [num_seqs, hidden]. skip_leading tokens of each
// sequence (a prompt with include_prompt: false) are not pooled, keeping at least one.
template <typename T>
cudaError_t PoolSequences(const T* tokens, const int32_t* cu_seqlens, int num_seqs, int hidden, PoolMode mode,
                          int skip_leading, float* out, cudaStream_t stream);

// rows[r] /= max(‖rows[r]‖, 1e-12), as torch.nn.functional.normalize.
cudaError_t L2NormalizeRows(float* rows, int count, int dimension, cudaStream_t stream);

}  // namespace sk::cuda
