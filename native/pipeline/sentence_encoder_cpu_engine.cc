// SentenceEncoder with cpuEngine 'int8' or 'bf16x3': packed, unpadded batches go to the CPU
// engine, one batch per lane at a time (a lone batch is split over all of them instead); each
// lane pools its batch's rows and runs the Dense / Normalize modules and truncation exactly as
// the ONNX path does, into the caller's rows (no two batches share one).
#include <algorithm>

#include "kernels/kernels.h"
#include "pipeline/batch_cut.h"
#include "pipeline/cpu_engine_batches.h"
#include "pipeline/sentence_encoder.h"

namespace sk::pipeline {

Status SentenceEncoder::LoadCpuEngine() {
  const ModelFiles& files = config_.files;
  if (files.max_length == 0) return InvalidArgument("max_length must be positive");
  SK_RETURN_IF_ERROR(model_.LoadTokenizer(files));
  SK_RETURN_IF_ERROR(LoadCpuEncoder(config_.cpu_engine, false, &engine_));
  hidden_size_ = static_cast<size_t>(engine_->config().hidden_size);
  return Status::Ok();
}

Status SentenceEncoder::EncodeOnCpuEngine(const std::vector<tok::Encoding>& encodings, const EncodeParams& params,
                                     float* out) const {
  std::vector<PackedBatch> batches;
  SK_RETURN_IF_ERROR(CollectEngineBatches(encodings, CpuBatchTokens(params.max_batch_tokens), &batches));
  // The engine's lanes and buffers are shared by every call: one call at a time.
  std::lock_guard<std::mutex> lock(model_.run_mutex);
  struct LaneScratch {
    std::vector<float> pooled, dense_in, dense_out;
    std::vector<int64_t> mask, prompt_length;
  };
  std::vector<LaneScratch> scratch(engine_->lanes());
  const size_t H = hidden_size_;
  return ForEachEngineBatch(*engine_, batches.size(), [&](size_t index, size_t lane, bool split) -> Status {
    const PackedBatch& batch = batches[index];
    const float* hidden = nullptr;
    SK_RETURN_IF_ERROR(engine_->Forward(EngineSequences(batch), lane, split, &hidden));
    LaneScratch& own = scratch[lane];
    const size_t rows = batch.rows.size();
    own.pooled.resize(rows * pooled_dimension_);
    PoolingSpec spec = config_.pooling;
    if (params.prompt_tokens > 0) {
      own.prompt_length.assign(1, static_cast<int64_t>(params.prompt_tokens));
      spec.prompt_lengths = own.prompt_length.data();
    }
    // Each sequence is pooled alone over its own tokens, all of them real.
    for (size_t r = 0; r < rows; ++r) {
      const size_t length = static_cast<size_t>(batch.cu[r + 1] - batch.cu[r]);
      if (own.mask.size() < length) own.mask.assign(length, 1);
      SK_RETURN_IF_ERROR(kernels::Pool(spec, hidden + static_cast<size_t>(batch.cu[r]) * H, own.mask.data(), 1, length, H,
                                       own.pooled.data() + r * pooled_dimension_));
    }
    FinishRows(own.pooled, batch.rows.data(), rows, params, own.dense_in, own.dense_out, out);
    return Status::Ok();
  });
}

Status SentenceEncoder::EncodeTokensOnCpuEngine(const std::vector<tok::Encoding>& encodings, std::vector<float>* out) const {
  std::vector<PackedBatch> batches;
  SK_RETURN_IF_ERROR(CollectEngineBatches(encodings, kCpuBatchTokens, &batches));
  size_t total = 0;
  for (const tok::Encoding& encoding : encodings) total += encoding.ids.size();
  out->assign(total * hidden_size_, 0.0f);
  std::vector<size_t> offsets(encodings.size() + 1, 0);
  for (size_t i = 0; i < encodings.size(); ++i) offsets[i + 1] = offsets[i] + encodings[i].ids.size();
  std::lock_guard<std::mutex> lock(model_.run_mutex);
  return ForEachEngineBatch(*engine_, batches.size(), [&](size_t index, size_t lane, bool split) -> Status {
    const PackedBatch& batch = batches[index];
    const float* hidden = nullptr;
    SK_RETURN_IF_ERROR(engine_->Forward(EngineSequences(batch), lane, split, &hidden));
    // Consecutive texts: the batch's tokens are one contiguous run of the output.
    std::copy_n(hidden, batch.ids.size() * hidden_size_, out->begin() + offsets[batch.rows.front()] * hidden_size_);
    return Status::Ok();
  });
}

}  // namespace sk::pipeline
