// SPLADE pooling on the device, fused so the [tokens × vocab] masked-LM logits are never kept
// whole: the decoder GEMM runs over chunks of tokens, and each chunk is folded at once into a
// running [sequences × vocab] maximum of relu(logit + bias). Since relu and log1p are monotonic,
// max_t log1p(relu(x_t + b)) = log1p(max_t relu(x_t + b)): the log1p is applied once per entry
// at the end. All maxima are >= 0, so they are kept as float bits under an integer atomicMax.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace sk::cuda {

// logits: [rows, vocab] for packed tokens [first_token, first_token + rows); token_seq[t]: the
// sequence of packed token t; bias: [vocab] float32. maxes: [num_seqs, vocab], zeroed before
// the first chunk.
template <typename T>
cudaError_t SpladeFoldChunk(const T* logits, int first_token, int rows, const int32_t* token_seq, int vocab,
                            const float* bias, float* maxes, cudaStream_t stream);

// maxes[i] = log1p(maxes[i]) (twice when log1p_twice: opensearch's "log1p_relu"), in place.
cudaError_t SpladeFinish(float* maxes, size_t count, bool log1p_twice, cudaStream_t stream);

}  // namespace sk::cuda
