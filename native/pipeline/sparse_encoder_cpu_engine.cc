// SparseEncoderModel with cpuEngine 'int8' or 'bf16x3': texts packed unpadded onto the CPU
// engine's lanes, whose masked-LM decoder tiles fold straight into per-text maxima (the
// [tokens, vocabulary] logits are never kept); SPLADE's activation and the sparse rows then as
// on the ONNX path.
#include <algorithm>
#include <mutex>

#include "pipeline/batch_cut.h"
#include "pipeline/cpu_engine_batches.h"
#include "pipeline/sparse_encoder.h"

namespace sk::pipeline {

Status SparseEncoderModel::LoadCpuEngine(const ModelFiles& files, const CpuEnginePlacement& cpu_engine,
                                    std::unique_ptr<SparseEncoderModel>* out, SpladeActivation activation) {
  if (files.max_length == 0) return InvalidArgument("max_length must be positive");
  std::unique_ptr<SparseEncoderModel> model(new SparseEncoderModel());
  model->files_ = files;
  model->activation_ = activation;
  SK_RETURN_IF_ERROR(model->model_.LoadTokenizer(files));
  SK_RETURN_IF_ERROR(LoadCpuEncoder(cpu_engine, true, &model->engine_));
  const model::EncoderConfig& config = model->engine_->config();
  model->vocab_size_ = static_cast<size_t>(config.vocab_size);
  *out = std::move(model);
  return Status::Ok();
}

Status SparseEncoderModel::EncodeOnCpuEngine(const std::vector<tok::Encoding>& encodings, size_t batch_size,
                                        size_t max_active_dims, SparseRows* out) const {
  std::vector<PackedBatch> batches;
  // batch_size caps the texts per batch: each holds a vocabulary-wide row of maxima per lane.
  SK_RETURN_IF_ERROR(CollectEngineBatches(encodings, kCpuBatchTokens, &batches, std::max<size_t>(batch_size, 1)));
  std::vector<SparseRows> rows(encodings.size());
  // The engine's lanes and buffers are shared by every call: one call at a time.
  std::lock_guard<std::mutex> lock(model_.run_mutex);
  std::vector<std::vector<float>> maxima(engine_->lanes());
  SK_RETURN_IF_ERROR(ForEachEngineBatch(*engine_, batches.size(), [&](size_t index, size_t lane, bool split) -> Status {
    const PackedBatch& batch = batches[index];
    std::vector<float>& own = maxima[lane];
    own.resize(batch.rows.size() * vocab_size_);
    SK_RETURN_IF_ERROR(engine_->MaskedLmMaxima(EngineSequences(batch), lane, split, own.data()));
    for (size_t r = 0; r < batch.rows.size(); ++r) {
      float* row = own.data() + r * vocab_size_;
      SpladeActivate(activation_, row, vocab_size_);
      AppendSparseRow(row, vocab_size_, max_active_dims, &rows[batch.rows[r]]);
    }
    return Status::Ok();
  }));
  ConcatenateSparseRows(rows, out);
  return Status::Ok();
}

}  // namespace sk::pipeline
