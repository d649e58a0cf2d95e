// Encodings built from token ids a caller already has (the server's token-id inputs, TEI's
// EncodingInput::Ids and OpenAI's token arrays), instead of from text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/status.h"
#include "tokenizer/tokenizer.h"

namespace sk::pipeline {

// Each row of ids taken as final: nothing is added ([CLS], [SEP]), as TEI re-encodes ids with
// add_special_tokens false, and type ids are 0. A row longer than `max_length` keeps its first
// (kRight) or last (kLeft) `max_length` ids. ERR_INVALID_ARGUMENT for an empty row or an id
// outside [0, vocab_size), naming the row and the position; with `positions` > 0, as
// CheckPositionLimit for a row still longer than that.
Status EncodingsFromIds(const std::vector<std::vector<int64_t>>& rows, size_t vocab_size, size_t max_length,
                        tok::TruncationSide side, size_t positions, std::vector<tok::Encoding>* encodings);

}  // namespace sk::pipeline
