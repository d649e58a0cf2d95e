// The sequence-classification head of a cross-encoder, on each sequence's first token (BERT's
// [CLS], RoBERTa's <s>): logits = out_w · tanh(dense_w · x + dense_b) + out_b. That is BERT's
// pooler (dense + tanh) then its classifier, and RoBERTa's classification head (dense → tanh →
// out_proj; dropout is off at inference) alike. Weights are float32 and all arithmetic fp32: the
// head is tiny next to the encoder, and fp32 keeps the logits as close to the CPU as the encoder
// output allows. The activation (sigmoid, softmax, …) is left to the caller, as on the CPU path.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace sk::cuda {

// hidden: packed [tokens, hidden_size]; cu_seqlens: [num_seqs + 1] on the device; dense_w:
// [hidden_size, hidden_size], out_w: [labels, hidden_size]; logits: [num_seqs, labels].
template <typename T>
cudaError_t ClassificationHead(const T* hidden, const int32_t* cu_seqlens, int num_seqs, int hidden_size,
                               const float* dense_w, const float* dense_b, const float* out_w, const float* out_b,
                               int labels, float* logits, cudaStream_t stream);

}  // namespace sk::cuda
