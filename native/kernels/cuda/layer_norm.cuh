// LayerNorm kernels of the encoder, each fused with what comes before it: the embedding sum
// (word + position + token type) and the residual + bias after each sublayer's projection.
// Statistics in fp32, two passes (mean, then variance) as torch computes them.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace sk::cuda {

// out[t] = LayerNorm(word[ids[t]] + position[positions[t]] + token_type[type_ids[t]]).
// type_ids or token_type may be null (no token-type embedding). Ids must already be in range.
template <typename T>
cudaError_t EmbeddingLayerNorm(const int32_t* ids, const int32_t* type_ids, const int32_t* positions,
                               const T* word, const T* position, const T* token_type, const T* gamma,
                               const T* beta, int tokens, int hidden, float eps, T* out, cudaStream_t stream);

// residual[t] = LayerNorm(projected[t] + bias + residual[t]), in place on `residual`.
template <typename T>
cudaError_t BiasResidualLayerNorm(const T* projected, const T* bias, const T* gamma, const T* beta, int tokens,
                                  int hidden, float eps, T* residual, cudaStream_t stream);

}  // namespace sk::cuda
