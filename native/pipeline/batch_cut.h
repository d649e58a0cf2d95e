// The one batching path: how a call's encodings become model batches, under a backend's policy.
// A padded backend (ONNX Runtime) gets inputs sorted longest first, as sentence-transformers
// sorts them, so every row of a batch is padded only to its first (longest) row, and the cut
// bounds rows, padded tokens and — when a run mixes unrelated lengths, as a run merged from
// many concurrent callers does — the share of the batch that is padding. An unpadded backend
// (the own engines) gets consecutive texts packed back to back, cut by rows and real tokens.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/status.h"
#include "tokenizer/tokenizer.h"

namespace sk::pipeline {

// A call's bounds on its batches (batch_size, maxBatchTokens, maxPadding).
struct BatchLimits {
  size_t max_rows = 32;
  size_t max_tokens = 0;     // tokens per batch (padded ones when padded); 0: the backend's default
  double max_padding = 1.0;  // the most padding per padded token, in [0, 1]; 1: no bound
};

// Tokens per model batch on the CPU when the caller sets none: smaller batches keep a layer's
// activations in cache (bench/RESULTS.md has the measurements behind the figure).
constexpr size_t kCpuBatchTokens = 1024;

// A backend's own batch policy.
struct BatchPolicy {
  bool padded = true;                       // rows padded to the batch's longest (sorted first)
  size_t default_tokens = kCpuBatchTokens;  // the budget when the call sets none
  bool rows_capped = true;                  // batch_size bounds rows; else only the budget does
};

// The batches of one call: batch b holds the encodings order[starts[b] .. starts[b + 1]).
struct BatchPlan {
  std::vector<size_t> order;
  std::vector<size_t> starts{0};

  size_t size() const { return starts.size() - 1; }
  const size_t* rows(size_t b) const { return order.data() + starts[b]; }
  size_t count(size_t b) const { return starts[b + 1] - starts[b]; }
};

Status PlanBatches(const std::vector<tok::Encoding>& encodings, const BatchPolicy& policy, const BatchLimits& limits,
                   BatchPlan* plan);

// Encodings packed back to back, unpadded: token ids, type ids and cumulative lengths.
struct PackedBatch {
  std::vector<int32_t> ids, types, cu{0};
};

void PackBatch(const std::vector<tok::Encoding>& encodings, const size_t* rows, size_t count, PackedBatch* out);

// How many of `lengths[0..available)` (token counts, sorted longest first) the next padded
// batch takes: at least one, at most `available`.
size_t CutBatch(const size_t* lengths, size_t available, const BatchLimits& limits);

}  // namespace sk::pipeline
