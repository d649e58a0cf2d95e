// Pooling modes composed from the dispatched kernels: mean and max use the phase-one pooling
// kernels, the weighted sums use the SIMD axpy, so every mode runs at the CPU's level.
#include "kernels/pooling.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "kernels/cpu/vector_table.h"
#include "kernels/kernels.h"

namespace sk::kernels {
namespace {

// Weighted sum of the masked-in tokens of one row and the sum of their weights (float, as
// torch sums the float mask). weight(s) = 1, or s + 1 for weightedmean.
float WeightedSum(const VectorKernels& kernels, const float* tokens, const int64_t* mask, size_t seq, size_t hidden,
                  bool by_position, float* out) {
  std::memset(out, 0, hidden * sizeof(float));
  float weight_sum = 0.0f;
  for (size_t s = 0; s < seq; ++s) {
    if (mask[s] == 0) continue;
    const float weight = by_position ? static_cast<float>(s + 1) : 1.0f;
    weight_sum += weight;
    kernels.axpy(weight, tokens + s * hidden, hidden, out);
  }
  return weight_sum;
}

}  // namespace

size_t PooledDim(const PoolingSpec& spec, size_t hidden) { return spec.modes.size() * hidden; }

Status Pool(const PoolingSpec& spec, const float* tokens, const int64_t* mask, size_t batch, size_t seq, size_t hidden,
            float* out) {
  if (spec.modes.empty()) return InvalidArgument("expected at least one pooling mode but received none");
  if (hidden == 0) return InvalidArgument("expected a hidden size >= 1 but received 0");
  if (batch == 0) return Status::Ok();
  if (seq == 0) return InvalidArgument("expected a sequence length >= 1 but received 0");
  if (tokens == nullptr || mask == nullptr || out == nullptr) return InvalidArgument("tokens, mask or output missing");

  // The mask pooling sees: prompt positions cleared, per row.
  std::vector<int64_t> effective(mask, mask + batch * seq);
  if (spec.prompt_lengths != nullptr) {
    for (size_t b = 0; b < batch; ++b) {
      if (spec.prompt_lengths[b] < 0) {
        return InvalidArgument("expected prompt lengths >= 0 but received " + std::to_string(spec.prompt_lengths[b]));
      }
      int64_t* row = effective.data() + b * seq;
      // argmax of a 0/1 row: the first masked-in position (0 when none, as torch gives).
      size_t first = 0;
      while (first < seq && row[first] == 0) ++first;
      if (first == seq) first = 0;
      const size_t end = std::min(seq, first + static_cast<size_t>(spec.prompt_lengths[b]));
      for (size_t s = 0; s < end; ++s) row[s] = 0;
    }
  }

  const VectorKernels& kernels = ActiveVectorKernels();
  const size_t width = PooledDim(spec, hidden);
  std::vector<float> scratch(batch * hidden);
  for (size_t m = 0; m < spec.modes.size(); ++m) {
    const PoolingMode mode = spec.modes[m];
    switch (mode) {
      case PoolingMode::kCls: ClsPool(tokens, effective.data(), batch, seq, hidden, scratch.data()); break;
      case PoolingMode::kMean: MeanPool(tokens, effective.data(), batch, seq, hidden, scratch.data()); break;
      case PoolingMode::kMax: MaxPool(tokens, effective.data(), batch, seq, hidden, scratch.data()); break;
      case PoolingMode::kMeanSqrtLenTokens:
      case PoolingMode::kWeightedMean:
        for (size_t b = 0; b < batch; ++b) {
          float* row = scratch.data() + b * hidden;
          const bool weighted = mode == PoolingMode::kWeightedMean;
          const float total = WeightedSum(kernels, tokens + b * seq * hidden, effective.data() + b * seq, seq, hidden,
                                          weighted, row);
          const float clamped = std::max(total, 1e-9f);
          const float divisor = weighted ? clamped : std::sqrt(clamped);
          for (size_t h = 0; h < hidden; ++h) row[h] /= divisor;
        }
        break;
      case PoolingMode::kLastToken:
        for (size_t b = 0; b < batch; ++b) {
          const int64_t* row_mask = effective.data() + b * seq;
          size_t last = seq;
          while (last > 0 && row_mask[last - 1] == 0) --last;
          // No masked-in token: sentence-transformers gathers token 0 of (tokens * mask),
          // i.e. token 0 times zero.
          const bool none = last == 0;
          const float* token = tokens + (b * seq + (none ? 0 : last - 1)) * hidden;
          float* row = scratch.data() + b * hidden;
          for (size_t h = 0; h < hidden; ++h) row[h] = none ? token[h] * 0.0f : token[h];
        }
        break;
    }
    for (size_t b = 0; b < batch; ++b) {
      std::memcpy(out + b * width + m * hidden, scratch.data() + b * hidden, hidden * sizeof(float));
    }
  }
  return Status::Ok();
}

Status TruncateRows(const float* in, size_t rows, size_t dim, size_t new_dim, float* out) {
  if (new_dim == 0 || new_dim > dim) {
    return InvalidArgument("expected truncate_dim in [1, " + std::to_string(dim) + "] but received " +
                           std::to_string(new_dim));
  }
  if (rows > 0 && (in == nullptr || out == nullptr)) return InvalidArgument("embeddings or output missing");
  // memmove: in place, row r's destination never passes its source.
  for (size_t r = 0; r < rows; ++r) std::memmove(out + r * new_dim, in + r * dim, new_dim * sizeof(float));
  return Status::Ok();
}

}  // namespace sk::kernels
