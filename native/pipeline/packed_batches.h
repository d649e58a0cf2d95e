// Consecutive encodings packed back to back for the CUDA engine (unpadded, so no sorting by
// length is needed): token ids, type ids and cumulative lengths, cut at `max_rows` sequences or
// `max_tokens` tokens (a single longer sequence still makes its own batch).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/status.h"
#include "tokenizer/tokenizer.h"

namespace sk::pipeline {

struct PackedBatch {
  std::vector<int32_t> ids, types, cu{0};
  std::vector<size_t> rows;  // the encodings' indexes, in order
};

template <typename Fn>
Status ForEachPacked(const std::vector<tok::Encoding>& encodings, size_t max_rows, size_t max_tokens, Fn&& fn) {
  PackedBatch batch;
  auto flush = [&]() -> Status {
    if (batch.rows.empty()) return Status::Ok();
    SK_RETURN_IF_ERROR(fn(batch));
    batch = PackedBatch();
    return Status::Ok();
  };
  for (size_t i = 0; i < encodings.size(); ++i) {
    const tok::Encoding& encoding = encodings[i];
    if (!batch.rows.empty() && (batch.rows.size() >= max_rows || batch.ids.size() + encoding.ids.size() > max_tokens)) {
      SK_RETURN_IF_ERROR(flush());
    }
    for (size_t t = 0; t < encoding.ids.size(); ++t) {
      batch.ids.push_back(static_cast<int32_t>(encoding.ids[t]));
      batch.types.push_back(encoding.type_ids.empty() ? 0 : static_cast<int32_t>(encoding.type_ids[t]));
    }
    batch.cu.push_back(static_cast<int32_t>(batch.ids.size()));
    batch.rows.push_back(i);
  }
  return flush();
}

}  // namespace sk::pipeline
