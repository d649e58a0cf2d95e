#include "cpu_engine/masked_lm_maxima.h"

#include <algorithm>
#include <cmath>

namespace sk::cpu {

void DecoderMaxima::Reserve(size_t slots) {
  tiles_.assign(slots, std::vector<float>(EngineLinear::kBlockRows * kVocabChunk));
  token_sequences_.resize(slots);
}

void DecoderMaxima::Run(const EngineLinear& decoder, const GemmRows& rows, const PackedSequences& batch, ThreadPool* pool,
                        size_t lane, float* maxima) {
  const size_t tokens = static_cast<size_t>(batch.offsets[batch.num_seqs]), V = decoder.out_features();
  std::vector<uint32_t>& sequence_of = token_sequences_[lane];
  sequence_of.resize(tokens);
  for (size_t s = 0; s < batch.num_seqs; ++s) {
    for (int32_t t = batch.offsets[s]; t < batch.offsets[s + 1]; ++t) sequence_of[t] = static_cast<uint32_t>(s);
  }
  std::fill(maxima, maxima + batch.num_seqs * V, -INFINITY);
  decoder.ApplyColumns(
      rows, tokens, kVocabChunk, [this](size_t slot) { return tiles_[slot].data(); },
      [&](size_t, size_t begin, size_t end, size_t column_begin, size_t columns, const float* tile) {
        for (size_t t = begin; t < end; ++t) {
          float* target = maxima + sequence_of[t] * V + column_begin;
          const float* logits = tile + (t - begin) * kVocabChunk;
          for (size_t c = 0; c < columns; ++c) target[c] = std::max(target[c], logits[c]);
        }
      },
      pool, lane);
}

}  // namespace sk::cpu
