// Packs tokenized sequences into the padded [batch, seq] int64 tensors an ONNX model takes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "runtime/io_cache.h"
#include "runtime/ort_session.h"
#include "tokenizer/tokenizer.h"

namespace sk::pipeline {

struct PaddedBatch {
  size_t batch = 0;
  size_t seq = 0;
  // Where each row's tokens sit: the tokenizer's padding side (transformers' padding_side).
  bool pad_left = false;
  std::vector<int64_t> ids;
  std::vector<int64_t> mask;
  std::vector<int64_t> type_ids;
  // 0..n-1 over each row's real tokens, 1 on padding (transformers' convention for decoders),
  // so a left-padded row is numbered as it would be alone. Filled only when asked for.
  std::vector<int64_t> position_ids;

  // Fills the tensors from encodings[rows[0..count)], padded with `pad_id` to the longest
  // member (at least one column, so an empty batch row still has a shape) on the right, or on
  // the left when `pad_left`. The buffers are kept between fills and grow geometrically
  // (counted in `counters` if given), so a model's long-lived batch stops reallocating once
  // it has seen its largest batch.
  void Fill(const std::vector<tok::Encoding>& encodings, const size_t* rows, size_t count, int64_t pad_id,
            ort::IoCounters* counters = nullptr, bool positions = false);

  // Where the first real token of a row holding `length` of them sits.
  size_t RowStart(size_t length) const { return pad_left ? seq - length : 0; }
  ort::BatchInputs Inputs() const;
};

}  // namespace sk::pipeline
