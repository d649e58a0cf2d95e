#include "pipeline/sorted_batches.h"

#include <algorithm>
#include <numeric>

namespace sk::pipeline {

Status RunSortedBatches(const ModelSession& model, const std::vector<tok::Encoding>& encodings,
                        BatchLimits limits, const std::function<Status(const BatchResult&)>& consume) {
  const ort::OrtSession& session = *model.session;
  if (limits.max_rows == 0) return InvalidArgument("batch_size must be positive");
  const size_t count = encodings.size();
  std::vector<size_t> order(count);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return encodings[a].ids.size() > encodings[b].ids.size();
  });

  std::vector<size_t> lengths(count);
  for (size_t i = 0; i < count; ++i) lengths[i] = encodings[order[i]].ids.size();
  size_t rows = 0;
  for (size_t start = 0; start < count; start += rows) {
    rows = CutBatch(lengths.data() + start, count - start, limits);
    std::lock_guard<std::mutex> lock(model.run_mutex);
    PaddedBatch& batch = model.batch;
    model.Fill(encodings, order.data() + start, rows, &batch, &model.io.counters);
    ort::TensorOutput output;
    SK_RETURN_IF_ERROR(session.Run(batch.Inputs(), batch.batch, batch.seq, &output, &model.io));
    SK_RETURN_IF_ERROR(consume(BatchResult{batch, output, order.data() + start, rows}));
  }
  return Status::Ok();
}

}  // namespace sk::pipeline
