#include "pipeline/batch_cut.h"

#include <algorithm>

namespace sk::pipeline {

size_t CutBatch(const size_t* lengths, size_t available, const BatchLimits& limits) {
  if (available == 0) return 0;
  size_t rows = std::max<size_t>(1, std::min(limits.max_rows, available));
  const size_t longest = std::max<size_t>(1, lengths[0]);
  if (limits.max_tokens > 0) rows = std::max<size_t>(1, std::min(rows, limits.max_tokens / longest));
  if (limits.max_padding >= 1.0) return rows;
  // Rows are shortest last, so padding only grows as the batch does: stop at the first row that
  // would take it over the bound. Token counts are small integers, so the sums are exact.
  size_t real = std::max<size_t>(1, lengths[0]);
  for (size_t taken = 1; taken < rows; ++taken) {
    const size_t next_real = real + std::max<size_t>(1, lengths[taken]);
    const double padded = static_cast<double>((taken + 1) * longest);
    if (padded - static_cast<double>(next_real) > limits.max_padding * padded) return taken;
    real = next_real;
  }
  return rows;
}

}  // namespace sk::pipeline
