// How the model classes feed sentencekit's CPU engine: their encodings packed into batches cut
// by a token budget only (packing pads nothing, so many short texts in one batch cost no more
// than their tokens), run one batch per engine lane at a time, or a lone batch split over all
// lanes.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

#include "core/status.h"
#include "cpu_engine/cpu_encoder.h"
#include "pipeline/packed_batches.h"

namespace sk::pipeline {

inline cpu::PackedSequences EngineSequences(const PackedBatch& batch) {
  return cpu::PackedSequences{batch.ids.data(), batch.types.data(), batch.cu.data(), batch.rows.size()};
}

// `max_rows` bounds a batch's texts where each costs more than its tokens (a SPLADE text's
// vocabulary-wide maxima); 0: only the token budget.
inline Status CollectEngineBatches(const std::vector<tok::Encoding>& encodings, size_t max_tokens,
                                 std::vector<PackedBatch>* batches, size_t max_rows = 0) {
  const size_t rows = max_rows > 0 ? max_rows : std::max<size_t>(max_tokens, 1);
  return ForEachPacked(encodings, rows, max_tokens, [&](const PackedBatch& batch) -> Status {
    batches->push_back(batch);
    return Status::Ok();
  });
}

// Runs fn(batch index, lane, split) for every batch: alone on lane 0 with the batch split over
// the lanes when there is one, else the batches spread over the lanes. The first error wins.
template <typename Fn>
Status ForEachEngineBatch(cpu::CpuEncoder& engine, size_t batches, Fn&& fn) {
  if (batches == 1) return fn(size_t{0}, size_t{0}, true);
  std::vector<Status> statuses(batches);
  engine.pool().ParallelFor(batches, [&](size_t index, size_t lane) { statuses[index] = fn(index, lane, false); });
  for (Status& status : statuses) SK_RETURN_IF_ERROR(status);
  return Status::Ok();
}

}  // namespace sk::pipeline
