// Encodings from token ids (pipeline/token_id_input.h): every row length against every limit
// on both sides, checked against the slice it must keep; ids outside the vocabulary, empty rows
// and rows past the positions are refused with the row and place named.
#include <cstdint>
#include <string>
#include <vector>

#include "check.h"
#include "pipeline/token_id_input.h"

namespace {

using sk::pipeline::EncodingsFromIds;
using sk::tok::Encoding;
using sk::tok::TruncationSide;

std::vector<int64_t> Row(size_t length) {
  std::vector<int64_t> row(length);
  for (size_t i = 0; i < length; ++i) row[i] = static_cast<int64_t>(100 + i);
  return row;
}

}  // namespace

TEST(token_ids_keep_the_first_or_last_max_length_ids) {
  for (size_t length = 1; length <= 40; ++length) {
    for (size_t max_length = 0; max_length <= 42; ++max_length) {
      for (const TruncationSide side : {TruncationSide::kRight, TruncationSide::kLeft}) {
        const std::vector<int64_t> row = Row(length);
        std::vector<Encoding> out;
        CHECK(EncodingsFromIds({row}, 1000, max_length, side, 0, &out).ok());
        const size_t keep = max_length > 0 && length > max_length ? max_length : length;
        const auto begin = side == TruncationSide::kLeft ? row.end() - static_cast<std::ptrdiff_t>(keep) : row.begin();
        CHECK(out.size() == 1);
        CHECK(out[0].ids == std::vector<int64_t>(begin, begin + static_cast<std::ptrdiff_t>(keep)));
        CHECK(out[0].type_ids == std::vector<int64_t>(keep, 0));
        CHECK(out[0].attention_mask == std::vector<int64_t>(keep, 1));
        CHECK(out[0].special_tokens_mask == std::vector<uint8_t>(keep, 0));
      }
    }
  }
}

TEST(token_ids_outside_the_vocabulary_or_empty_are_refused) {
  std::vector<Encoding> out;
  sk::Status status = EncodingsFromIds({{1, 2}, {3, 1000, 4}}, 1000, 0, TruncationSide::kRight, 0, &out);
  CHECK(status.code() == sk::StatusCode::kInvalidArgument);
  CHECK(status.message() == "token id 1000 at [1][1] is outside the vocabulary (0 to 999)");
  status = EncodingsFromIds({{-1}}, 1000, 0, TruncationSide::kRight, 0, &out);
  CHECK(status.code() == sk::StatusCode::kInvalidArgument);
  CHECK(EncodingsFromIds({{999}}, 1000, 0, TruncationSide::kRight, 0, &out).ok());
  status = EncodingsFromIds({{5}, {}}, 1000, 0, TruncationSide::kRight, 0, &out);
  CHECK(status.code() == sk::StatusCode::kInvalidArgument);
  CHECK(status.message() == "token ids 1 are empty");
}

TEST(token_ids_past_the_positions_are_refused_after_truncation) {
  std::vector<Encoding> out;
  // Truncated to 8 first: within 8 positions.
  CHECK(EncodingsFromIds({Row(20)}, 1000, 8, TruncationSide::kLeft, 8, &out).ok());
  // max_length past the positions (max_seq_length set past them): the row is refused.
  const sk::Status status = EncodingsFromIds({Row(3), Row(20)}, 1000, 16, TruncationSide::kRight, 8, &out);
  CHECK(status.code() == sk::StatusCode::kInvalidArgument);
  CHECK(status.message().find("input 1 has 16 tokens") == 0);
}
