// SPLADE's max pooling over a masked-LM decoder, shared by the engines whose models carry one
// (CpuEncoder: BERT / RoBERTa / MPNet / DistilBERT heads; ModernBertEncoder: head + decoder):
// the decoder runs column chunk by column chunk over the whole vocabulary and only each
// sequence's running maximum per vocabulary entry is kept, never the [tokens, vocabulary] logits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/thread_pool.h"
#include "cpu_engine/engine_encoder.h"
#include "cpu_engine/engine_linear.h"

namespace sk::cpu {

class DecoderMaxima {
 public:
  // Vocabulary columns per task (a multiple of 16).
  static constexpr size_t kVocabChunk = 1024;

  // One tile per pool slot and one token-to-sequence map per lane.
  void Reserve(size_t slots);

  // maxima[s * V + v] = max over sequence s's tokens t of decoder(rows[t])[v], V the decoder's
  // outputs; `rows` holds batch's tokens at the decoder's precision. On `pool` when not null.
  void Run(const EngineLinear& decoder, const GemmRows& rows, const PackedSequences& batch, ThreadPool* pool, size_t lane,
           float* maxima);

 private:
  std::vector<std::vector<float>> tiles_;               // per pool slot, [kBlockRows, kVocabChunk]
  std::vector<std::vector<uint32_t>> token_sequences_;  // per lane: each token's sequence
};

}  // namespace sk::cpu
