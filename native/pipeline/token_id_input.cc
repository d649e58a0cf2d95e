#include "pipeline/token_id_input.h"

#include <string>

#include "pipeline/model_input.h"

namespace sk::pipeline {

Status EncodingsFromIds(const std::vector<std::vector<int64_t>>& rows, size_t vocab_size, size_t max_length,
                        tok::TruncationSide side, size_t positions, std::vector<tok::Encoding>* encodings) {
  encodings->assign(rows.size(), tok::Encoding{});
  for (size_t r = 0; r < rows.size(); ++r) {
    const std::vector<int64_t>& ids = rows[r];
    if (ids.empty()) return InvalidArgument("token ids " + std::to_string(r) + " are empty");
    for (size_t i = 0; i < ids.size(); ++i) {
      if (ids[i] < 0 || static_cast<uint64_t>(ids[i]) >= vocab_size) {
        return InvalidArgument("token id " + std::to_string(ids[i]) + " at [" + std::to_string(r) + "][" +
                               std::to_string(i) + "] is outside the vocabulary (0 to " +
                               std::to_string(vocab_size - 1) + ")");
      }
    }
    const size_t keep = max_length > 0 && ids.size() > max_length ? max_length : ids.size();
    const auto begin = side == tok::TruncationSide::kLeft ? ids.end() - static_cast<std::ptrdiff_t>(keep) : ids.begin();
    tok::Encoding& encoding = (*encodings)[r];
    encoding.ids.assign(begin, begin + static_cast<std::ptrdiff_t>(keep));
    encoding.type_ids.assign(keep, 0);
    encoding.attention_mask.assign(keep, 1);
    encoding.special_tokens_mask.assign(keep, 0);
  }
  return positions > 0 ? CheckPositionLimit(*encodings, positions) : Status::Ok();
}

}  // namespace sk::pipeline
