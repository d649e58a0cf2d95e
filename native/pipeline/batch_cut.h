// Where one padded batch ends, given inputs sorted longest first. Every row of a batch is padded
// to its first (longest) row, so the cut bounds three things: rows, padded tokens, and — when a
// run mixes unrelated lengths, as a run merged from many concurrent callers does — the share
// of the batch that is padding. A batch of one is never padded.
#pragma once

#include <cstddef>

namespace sk::pipeline {

struct BatchLimits {
  size_t max_rows = 32;
  size_t max_tokens = 0;     // padded tokens (rows × longest); 0: rows only
  double max_padding = 1.0;  // the most padding per padded token, in [0, 1]; 1: no bound
};

// Padded tokens per model batch on the CPU when the caller sets none. Smaller batches keep a
// layer's activations in cache. Measured with 2 threads and batchSize 32, mixed-length texts,
// in sentences/s at 1,024 tokens against 16,384:
// - all-MiniLM-L6-v2's shape, 600 texts: int8 171 against 111, fp32 91 against 70;
// - bert-base's shape, 150 texts: fp32 13.6 against 12.1.
// Budgets of 512-1,536 tokens measured within 5% of 1,024; 256 was slower.
constexpr size_t kCpuBatchTokens = 1024;
inline size_t CpuBatchTokens(size_t requested) { return requested > 0 ? requested : kCpuBatchTokens; }

// How many of `lengths[0..available)` (token counts, sorted longest first) the next batch takes:
// at least one, at most `available`.
size_t CutBatch(const size_t* lengths, size_t available, const BatchLimits& limits);

}  // namespace sk::pipeline
