// Packs tokenized sequences into the padded [batch, seq] int64 tensors an ONNX encoder takes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "runtime/io_cache.h"
#include "tokenizer/tokenizer.h"

namespace sk::pipeline {

struct PaddedBatch {
  size_t batch = 0;
  size_t seq = 0;
  std::vector<int64_t> ids;
  std::vector<int64_t> mask;
  std::vector<int64_t> type_ids;

  // Fills the tensors from encodings[rows[0..count)], right-padded with `pad_id` to the
  // longest member (at least one column, so an empty batch row still has a shape). The
  // buffers are kept between fills and grow geometrically (counted in `counters` if given),
  // so a model's long-lived batch stops reallocating once it has seen its largest batch.
  void Fill(const std::vector<tok::Encoding>& encodings, const size_t* rows, size_t count,
            int64_t pad_id, ort::IoCounters* counters = nullptr);
};

}  // namespace sk::pipeline
