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

// How many of `lengths[0..available)` (token counts, sorted longest first) the next batch takes:
// at least one, at most `available`.
size_t CutBatch(const size_t* lengths, size_t available, const BatchLimits& limits);

}  // namespace sk::pipeline
