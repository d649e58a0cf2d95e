#include "pipeline/sorted_batches.h"

#include <algorithm>
#include <numeric>

namespace sk::pipeline {

Status RunSortedBatches(const ort::OrtSession& session, std::mutex& run_mutex,
                        const std::vector<tok::Encoding>& encodings, size_t batch_size, int64_t pad_id,
                        const std::function<Status(const BatchResult&)>& consume) {
  if (batch_size == 0) return InvalidArgument("batch_size must be positive");
  const size_t count = encodings.size();
  std::vector<size_t> order(count);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return encodings[a].ids.size() > encodings[b].ids.size();
  });

  PaddedBatch batch;
  for (size_t start = 0; start < count; start += batch_size) {
    const size_t rows = std::min(batch_size, count - start);
    batch.Fill(encodings, order.data() + start, rows, pad_id);
    ort::TensorOutput output;
    {
      std::lock_guard<std::mutex> lock(run_mutex);
      SK_RETURN_IF_ERROR(session.Run(batch.ids.data(), batch.mask.data(),
                                     session.has_token_type_ids() ? batch.type_ids.data() : nullptr,
                                     batch.batch, batch.seq, &output));
    }
    SK_RETURN_IF_ERROR(consume(BatchResult{batch, output, order.data() + start, rows}));
  }
  return Status::Ok();
}

}  // namespace sk::pipeline
