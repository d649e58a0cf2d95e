// The batch cut of sorted_batches against a brute-force reference: the cut is the longest
// prefix that keeps every limit (rows, padded tokens, padding share), never empty, and a
// bound of 1 reproduces the cut by rows and tokens alone.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "check.h"
#include "pipeline/batch_cut.h"

namespace {

using sk::pipeline::BatchLimits;

// The largest prefix whose every limit holds, checked prefix by prefix from scratch.
size_t ReferenceCut(const std::vector<size_t>& lengths, const BatchLimits& limits) {
  size_t best = 1;
  for (size_t rows = 1; rows <= lengths.size(); ++rows) {
    const size_t longest = std::max<size_t>(1, lengths[0]);
    size_t real = 0;
    for (size_t r = 0; r < rows; ++r) real += std::max<size_t>(1, lengths[r]);
    const double padded = static_cast<double>(rows * longest);
    const bool fits = rows <= limits.max_rows && (limits.max_tokens == 0 || rows * longest <= limits.max_tokens) &&
                      (limits.max_padding >= 1.0 || padded - static_cast<double>(real) <= limits.max_padding * padded);
    if (!fits) break;
    best = rows;
  }
  return best;
}

}  // namespace

TEST(batch_cut_matches_reference) {
  uint32_t state = 12345;
  auto next = [&]() { state = state * 1664525u + 1013904223u; return state >> 8; };
  const double bounds[] = {0.0, 0.05, 0.2, 0.5, 0.99, 1.0};
  for (int trial = 0; trial < 2000; ++trial) {
    std::vector<size_t> lengths(1 + next() % 70);
    for (size_t& length : lengths) length = next() % 260;  // 0 (an empty encoding) included
    std::sort(lengths.rbegin(), lengths.rend());
    BatchLimits limits;
    limits.max_rows = 1 + next() % 64;
    limits.max_tokens = (next() % 3 == 0) ? 0 : next() % 9000;
    limits.max_padding = bounds[next() % 6];
    const size_t got = sk::pipeline::CutBatch(lengths.data(), lengths.size(), limits);
    CHECK(got == ReferenceCut(lengths, limits)) << got << " vs " << ReferenceCut(lengths, limits) << ", trial " << trial;
  }
}

TEST(batch_cut_edges) {
  BatchLimits limits{32, 0, 0.0};
  auto cut = [&](const std::vector<size_t>& lengths, size_t available) {
    return sk::pipeline::CutBatch(lengths.data(), available, limits);
  };
  const std::vector<size_t> equal(40, 17);
  CHECK(cut(equal, equal.size()) == 32u) << cut(equal, equal.size());  // no padding: rows bind
  const std::vector<size_t> mixed = {100, 99, 10};
  CHECK(cut(mixed, mixed.size()) == 1u) << cut(mixed, mixed.size());  // any padding is too much
  limits.max_padding = 0.01;
  CHECK(cut(mixed, mixed.size()) == 2u) << cut(mixed, mixed.size());  // 1 of 200 padded
  limits.max_tokens = 50;  // an input over the token budget still runs, alone
  CHECK(cut(mixed, mixed.size()) == 1u) << cut(mixed, mixed.size());
  CHECK(cut(mixed, 0) == 0u);
}
