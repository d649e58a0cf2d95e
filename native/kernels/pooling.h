// Every sentence-transformers pooling mode, several concatenated, with include_prompt=false
// (leading prompt tokens left out per row), and truncate_dim. Token embeddings are
// [batch, seq, hidden] row-major; the mask is [batch, seq] of 0/1 int64.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/status.h"

namespace sk::kernels {

enum class PoolingMode {
  kCls,                // first masked-in token (argmax of the mask; token 0 when none)
  kMean,               // sum / clamp(count, 1e-9)
  kMax,                // max over masked-in tokens; -inf when none
  kMeanSqrtLenTokens,  // sum / sqrt(clamp(count, 1e-9))
  kWeightedMean,       // weights 1..seq by position: sum(w * x) / clamp(sum(w), 1e-9)
  kLastToken,          // last masked-in token; zeros when none
};

struct PoolingSpec {
  // Output is the concatenation of one `hidden`-wide vector per mode, in this order.
  std::vector<PoolingMode> modes;
  // include_prompt = false: per row, the prompt's token count. Positions before
  // first_masked_in + prompt_length are masked out, as sentence-transformers'
  // _exclude_prompt_from_mask does for right and left padding. nullptr keeps the prompt.
  const int64_t* prompt_lengths = nullptr;
};

// The pooled width: modes.size() * hidden.
size_t PooledDim(const PoolingSpec& spec, size_t hidden);

// out is [batch, PooledDim(spec, hidden)], written in full.
Status Pool(const PoolingSpec& spec, const float* tokens, const int64_t* mask, size_t batch, size_t seq, size_t hidden,
            float* out);

// truncate_dim: the first `new_dim` values of each row (new_dim <= dim). in == out is allowed
// (rows are compacted in place).
Status TruncateRows(const float* in, size_t rows, size_t dim, size_t new_dim, float* out);

}  // namespace sk::kernels
