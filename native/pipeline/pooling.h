// Pooling of token embeddings into one vector per text, as sentence-transformers' Pooling
// module does: one or several modes, their outputs concatenated in the configured order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace sk::pipeline {

enum class PoolingMode { kCls, kMax, kMean, kMeanSqrtLen, kWeightedMean, kLastToken };

struct PoolingSpec {
  // Modes in the order their outputs are concatenated: the order of `pooling_mode` in the
  // new config schema; cls, max, mean, mean_sqrt_len_tokens, weightedmean, lasttoken for the
  // old boolean schema (lib/model-folder.ts does that conversion).
  std::vector<PoolingMode> modes{PoolingMode::kMean};
};

// Parses a sentence-transformers mode name ("mean", "cls", "max", "mean_sqrt_len_tokens",
// "weightedmean", "lasttoken").
Status ParsePoolingMode(std::string_view name, PoolingMode* out);
// Checks the spec is non-empty, free of duplicates and supported.
Status ValidatePoolingSpec(const PoolingSpec& spec);

inline size_t PooledDimension(const PoolingSpec& spec, size_t hidden) {
  return spec.modes.size() * hidden;
}

// Pools [batch, seq, hidden] token embeddings with a [batch, seq] 0/1 mask into
// out[batch, modes * hidden]. `scratch` must hold batch * hidden floats when more than one
// mode is used.
void Pool(const PoolingSpec& spec, const float* tokens, const int64_t* mask, size_t batch,
          size_t seq, size_t hidden, float* out, std::vector<float>* scratch);

}  // namespace sk::pipeline
