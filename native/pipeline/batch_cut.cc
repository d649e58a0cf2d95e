#include "pipeline/batch_cut.h"

#include <algorithm>
#include <numeric>

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

Status PlanBatches(const std::vector<tok::Encoding>& encodings, const BatchPolicy& policy, const BatchLimits& limits,
                   BatchPlan* plan) {
  const size_t count = encodings.size();
  const size_t max_tokens = limits.max_tokens > 0 ? limits.max_tokens : policy.default_tokens;
  plan->order.resize(count);
  std::iota(plan->order.begin(), plan->order.end(), 0);
  plan->starts.assign(1, 0);
  if (policy.padded) {
    if (limits.max_rows == 0) return InvalidArgument("batch_size must be positive");
    std::stable_sort(plan->order.begin(), plan->order.end(), [&](size_t a, size_t b) {
      return encodings[a].ids.size() > encodings[b].ids.size();
    });
    std::vector<size_t> lengths(count);
    for (size_t i = 0; i < count; ++i) lengths[i] = encodings[plan->order[i]].ids.size();
    const BatchLimits cut{limits.max_rows, max_tokens, limits.max_padding};
    for (size_t start = 0; start < count;) {
      start += CutBatch(lengths.data() + start, count - start, cut);
      plan->starts.push_back(start);
    }
    return Status::Ok();
  }
  // Packed: a batch ends at max_rows texts or before the text that would pass the budget (a
  // single longer text still makes its own batch).
  const size_t max_rows = std::max<size_t>(policy.rows_capped ? limits.max_rows : max_tokens, 1);
  size_t rows = 0, tokens = 0;
  for (size_t i = 0; i < count; ++i) {
    const size_t length = encodings[i].ids.size();
    if (rows > 0 && (rows >= max_rows || tokens + length > max_tokens)) {
      plan->starts.push_back(i);
      rows = 0;
      tokens = 0;
    }
    rows += 1;
    tokens += length;
  }
  if (rows > 0) plan->starts.push_back(count);
  return Status::Ok();
}

void PackBatch(const std::vector<tok::Encoding>& encodings, const size_t* rows, size_t count, PackedBatch* out) {
  out->ids.clear();
  out->types.clear();
  out->cu.assign(1, 0);
  for (size_t r = 0; r < count; ++r) {
    const tok::Encoding& encoding = encodings[rows[r]];
    for (size_t t = 0; t < encoding.ids.size(); ++t) {
      out->ids.push_back(static_cast<int32_t>(encoding.ids[t]));
      out->types.push_back(encoding.type_ids.empty() ? 0 : static_cast<int32_t>(encoding.type_ids[t]));
    }
    out->cu.push_back(static_cast<int32_t>(out->ids.size()));
  }
}

}  // namespace sk::pipeline
