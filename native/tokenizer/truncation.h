// Truncation of one sequence or a pair to a token budget, with the exact rules of Hugging
// Face tokenizers (which transformers uses for `truncation=..., max_length=...`).
#pragma once

#include <cstdint>
#include <vector>

#include "core/status.h"
#include "tokenizer/tokenizer.h"

namespace sk::tok {

// Shortens `first` (and `second`, when not null) so together they hold at most `budget` ids:
// the max_length minus the special tokens the post-processor adds. longest_first splits the
// budget by `first_seen` and `second_seen`, the lengths Python tokenizers sees (SeenLength).
Status Truncate(std::vector<int64_t>* first, std::vector<int64_t>* second, size_t budget, size_t first_seen,
                size_t second_seen, TruncationStrategy strategy, TruncationSide side);

// The id count after one pre-tokenizer split of a text; `added` marks an added token's split.
struct SplitEnd {
  uint32_t end;
  bool added;
};

// tokenizers 0.23 stops tokenizing a text once it has max_length tokens, so longest_first sees
// that many, not the full length. It walks whole splits (from the end when truncating on the
// left) and checks the count only after a split the model tokenized, never after an added token.
size_t SeenLength(const std::vector<SplitEnd>& splits, size_t max_length, TruncationSide side);

}  // namespace sk::tok
