#include "pipeline/padded_batch.h"

#include <algorithm>
#include <cstring>

namespace sk::pipeline {

void PaddedBatch::Fill(const std::vector<tok::Encoding>& encodings, const size_t* rows,
                       size_t count, int64_t pad_id, ort::IoCounters* counters) {
  batch = count;
  seq = 1;
  for (size_t r = 0; r < count; ++r) seq = std::max(seq, encodings[rows[r]].ids.size());
  // assign() never reallocates within capacity; growth is geometric, and one count per
  // batch that grew (the three buffers always grow together).
  ort::IoCounters grown;
  ort::GrowGeometric(&ids, batch * seq, &grown);
  ort::GrowGeometric(&mask, batch * seq, &grown);
  ort::GrowGeometric(&type_ids, batch * seq, &grown);
  if (counters != nullptr && grown.buffer_growths > 0) counters->buffer_growths += 1;
  ids.assign(batch * seq, pad_id);
  mask.assign(batch * seq, 0);
  type_ids.assign(batch * seq, 0);
  for (size_t r = 0; r < count; ++r) {
    const tok::Encoding& encoding = encodings[rows[r]];
    const size_t length = encoding.ids.size();
    std::memcpy(ids.data() + r * seq, encoding.ids.data(), length * sizeof(int64_t));
    std::memcpy(mask.data() + r * seq, encoding.attention_mask.data(), length * sizeof(int64_t));
    std::memcpy(type_ids.data() + r * seq, encoding.type_ids.data(), length * sizeof(int64_t));
  }
}

}  // namespace sk::pipeline
