// SparseEncoderModel with cpuEngine 'int8': texts packed unpadded onto the int8 engine's lanes,
// whose masked-LM decoder tiles fold straight into per-text maxima (the [tokens, vocabulary]
// logits are never kept); SPLADE's activation and the sparse rows then as on the ONNX path.
#include <algorithm>
#include <mutex>

#include "pipeline/batch_cut.h"
#include "pipeline/int8_batches.h"
#include "pipeline/sparse_encoder.h"

namespace sk::pipeline {

Status SparseEncoderModel::LoadInt8(const ModelFiles& files, const Int8Placement& int8,
                                    std::unique_ptr<SparseEncoderModel>* out, SpladeActivation activation) {
  if (files.max_length == 0) return InvalidArgument("max_length must be positive");
  std::unique_ptr<SparseEncoderModel> model(new SparseEncoderModel());
  model->files_ = files;
  model->activation_ = activation;
  SK_RETURN_IF_ERROR(tok::Tokenizer::FromFile(files.tokenizer_path, &model->model_.tokenizer, files.lowercase));
  SK_RETURN_IF_ERROR(LoadInt8Encoder(int8, files.max_length, true, &model->int8_));
  const model::EncoderConfig& config = model->int8_->config();
  model->vocab_size_ = static_cast<size_t>(config.vocab_size);
  *out = std::move(model);
  return Status::Ok();
}

Status SparseEncoderModel::EncodeOnInt8(const std::vector<tok::Encoding>& encodings, size_t batch_size,
                                        size_t max_active_dims, SparseRows* out) const {
  std::vector<PackedBatch> batches;
  // batch_size caps the texts per batch: each holds a vocabulary-wide row of maxima per lane.
  SK_RETURN_IF_ERROR(CollectInt8Batches(encodings, kCpuBatchTokens, &batches, std::max<size_t>(batch_size, 1)));
  std::vector<SparseRows> rows(encodings.size());
  // The engine's lanes and buffers are shared by every call: one call at a time.
  std::lock_guard<std::mutex> lock(model_.run_mutex);
  std::vector<std::vector<float>> maxima(int8_->lanes());
  SK_RETURN_IF_ERROR(ForEachInt8Batch(*int8_, batches.size(), [&](size_t index, size_t lane, bool split) -> Status {
    const PackedBatch& batch = batches[index];
    std::vector<float>& own = maxima[lane];
    own.resize(batch.rows.size() * vocab_size_);
    SK_RETURN_IF_ERROR(int8_->MaskedLmMaxima(Int8Sequences(batch), lane, split, own.data()));
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
