// Truncation of one sequence or a pair to a token budget, with the exact rules of Hugging
// Face tokenizers (which transformers uses for `truncation=..., max_length=...`).
#pragma once

#include <cstdint>
#include <vector>

#include "core/status.h"
#include "tokenizer/tokenizer.h"

namespace sk::tok {

// Shortens `first` (and `second`, when not null) so together they hold at most `budget` ids:
// the max_length minus the special tokens the post-processor adds.
Status Truncate(std::vector<int64_t>* first, std::vector<int64_t>* second, size_t budget,
                TruncationStrategy strategy, TruncationSide side);

}  // namespace sk::tok
