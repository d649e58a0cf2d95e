// sentence-transformers lets max_seq_length be set past the model's position embeddings; a text
// that then runs longer than those positions fails when it is encoded (torch's embedding lookup
// raises IndexError), while shorter texts still encode. sentencekit's own engines read the
// position table directly, so they check each input before it runs.
#pragma once

#include <cstddef>
#include <vector>

#include "core/status.h"
#include "tokenizer/tokenizer.h"

namespace sk::pipeline {

// ERR_INVALID_ARGUMENT naming the first input with more than `positions` tokens.
Status CheckPositionLimit(const std::vector<tok::Encoding>& encodings, size_t positions);

}  // namespace sk::pipeline
