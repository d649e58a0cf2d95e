#include "pipeline/padded_batch.h"

#include <algorithm>
#include <cstring>

namespace sk::pipeline {

void PaddedBatch::Fill(const std::vector<tok::Encoding>& encodings, const size_t* rows, size_t count,
                       int64_t pad_id, ort::IoCounters* counters, bool positions) {
  batch = count;
  seq = 1;
  for (size_t r = 0; r < count; ++r) seq = std::max(seq, encodings[rows[r]].ids.size());
  // assign() never reallocates within capacity; growth is geometric, and one count per
  // batch that grew (the buffers always grow together).
  ort::IoCounters grown;
  ort::GrowGeometric(&ids, batch * seq, &grown);
  ort::GrowGeometric(&mask, batch * seq, &grown);
  ort::GrowGeometric(&type_ids, batch * seq, &grown);
  if (positions) ort::GrowGeometric(&position_ids, batch * seq, &grown);
  if (counters != nullptr && grown.buffer_growths > 0) counters->buffer_growths += 1;
  ids.assign(batch * seq, pad_id);
  mask.assign(batch * seq, 0);
  type_ids.assign(batch * seq, 0);
  if (positions) position_ids.assign(batch * seq, 1);
  for (size_t r = 0; r < count; ++r) {
    const tok::Encoding& encoding = encodings[rows[r]];
    const size_t length = encoding.ids.size();
    const size_t at = r * seq + RowStart(length);
    std::memcpy(ids.data() + at, encoding.ids.data(), length * sizeof(int64_t));
    std::memcpy(mask.data() + at, encoding.attention_mask.data(), length * sizeof(int64_t));
    std::memcpy(type_ids.data() + at, encoding.type_ids.data(), length * sizeof(int64_t));
    if (positions) {
      for (size_t t = 0; t < length; ++t) position_ids[at + t] = static_cast<int64_t>(t);
    }
  }
}

ort::BatchInputs PaddedBatch::Inputs() const {
  ort::BatchInputs inputs;
  inputs.ids = ids.data();
  inputs.mask = mask.data();
  inputs.type_ids = type_ids.data();
  inputs.position_ids = position_ids.empty() ? nullptr : position_ids.data();
  return inputs;
}

}  // namespace sk::pipeline
