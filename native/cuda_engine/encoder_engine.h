// A BERT-family encoder (BERT/MiniLM, RoBERTa/DistilRoBERTa, XLM-R, MPNet) on one CUDA device, in
// float32, float16 or bfloat16 with fp32 accumulation, over packed variable-length batches.
// One run at a time per engine (its scratch buffers and plan cache are shared).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"
#include "model/encoder_config.h"
#include "kernels/cuda/pooling.cuh"
#include "runtime/cuda_backend_api.h"

namespace sk::cuda {

using model::EncoderConfig;

struct PackedBatch {
  const int32_t* ids = nullptr;
  const int32_t* type_ids = nullptr;  // may be null: all zeros
  const int32_t* cu_seqlens = nullptr;
  int num_seqs = 0;
};

class EncoderEngine {
 public:
  virtual ~EncoderEngine() = default;
  static Status Load(const SkCudaLoadOptions& options, std::unique_ptr<EncoderEngine>* out);

  virtual const EncoderConfig& config() const = 0;
  virtual Status EncodePooled(const PackedBatch& batch, PoolMode mode, bool normalize, int skip_leading,
                              float* out) = 0;
  virtual Status EncodeTokens(const PackedBatch& batch, float* out) = 0;
  // Labels of the sequence-classification head found in model.safetensors (BERT's pooler +
  // classifier, or RoBERTa/MPNet's classifier.dense + out_proj); 0 when there is none.
  virtual int num_labels() const = 0;
  // Raw logits [num_seqs, num_labels()] of the classification head on each first token.
  virtual Status EncodeLogits(const PackedBatch& batch, float* out) = 0;
  // Whether model.safetensors has a masked-LM head (BERT's cls.predictions, RoBERTa's lm_head).
  virtual bool has_mlm_head() const = 0;
  // SPLADE weights [num_seqs, vocab_size]: max over each sequence's tokens of
  // log1p(relu(MLM logits)) (log1p twice when log1p_twice), without keeping all the logits.
  virtual Status EncodeSplade(const PackedBatch& batch, bool log1p_twice, float* out) = 0;
};

}  // namespace sk::cuda
