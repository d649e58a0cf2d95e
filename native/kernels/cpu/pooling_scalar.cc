// Scalar reference kernels: the definition of correct for every SIMD variant.
#include <cmath>
#include <cstring>
#include <limits>

#include "kernels/cpu/kernel_table.h"

namespace sk::kernels {
namespace {

void MeanPoolScalar(const float* tokens, const int64_t* mask, size_t batch, size_t seq,
                    size_t hidden, float* out) {
  for (size_t b = 0; b < batch; ++b) {
    float* row = out + b * hidden;
    std::memset(row, 0, hidden * sizeof(float));
    float count = 0.0f;
    for (size_t s = 0; s < seq; ++s) {
      if (mask[b * seq + s] == 0) continue;
      count += 1.0f;
      const float* token = tokens + (b * seq + s) * hidden;
      for (size_t h = 0; h < hidden; ++h) row[h] += token[h];
    }
    // torch.clamp(count, min=1e-9): an all-masked row divides zeros by a tiny number.
    const float divisor = count < 1e-9f ? 1e-9f : count;
    for (size_t h = 0; h < hidden; ++h) row[h] /= divisor;
  }
}

void MaxPoolScalar(const float* tokens, const int64_t* mask, size_t batch, size_t seq,
                   size_t hidden, float* out) {
  const float lowest = -std::numeric_limits<float>::infinity();
  for (size_t b = 0; b < batch; ++b) {
    float* row = out + b * hidden;
    for (size_t h = 0; h < hidden; ++h) row[h] = lowest;
    for (size_t s = 0; s < seq; ++s) {
      if (mask[b * seq + s] == 0) continue;
      const float* token = tokens + (b * seq + s) * hidden;
      for (size_t h = 0; h < hidden; ++h) {
        // NaN wins, as torch.max propagates it.
        if (std::isnan(token[h]) || token[h] > row[h]) row[h] = token[h];
      }
    }
  }
}

void L2NormalizeRowsScalar(float* data, size_t rows, size_t dim) {
  for (size_t r = 0; r < rows; ++r) {
    float* row = data + r * dim;
    float sum = 0.0f;
    for (size_t i = 0; i < dim; ++i) sum += row[i] * row[i];
    const float norm = std::sqrt(sum);
    const float divisor = norm > 1e-12f ? norm : 1e-12f;
    for (size_t i = 0; i < dim; ++i) row[i] /= divisor;
  }
}

}  // namespace

const KernelTable& ScalarKernels() {
  static const KernelTable table{MeanPoolScalar, MaxPoolScalar, L2NormalizeRowsScalar};
  return table;
}

}  // namespace sk::kernels
