#include "pipeline/sentence_encoder.h"

#include <algorithm>
#include <numeric>

#include "kernels/kernels.h"
#include "pipeline/padded_batch.h"

namespace sk::pipeline {

Status SentenceEncoder::Load(const SentenceEncoderConfig& config,
                             std::unique_ptr<SentenceEncoder>* out) {
  if (config.max_seq_length == 0) return InvalidArgument("max_seq_length must be positive");
  SK_RETURN_IF_ERROR(ValidatePoolingSpec(config.pooling));

  std::unique_ptr<SentenceEncoder> encoder(new SentenceEncoder());
  encoder->config_ = config;
  SK_RETURN_IF_ERROR(tok::Tokenizer::FromFile(config.tokenizer_path, &encoder->tokenizer_));
  SK_RETURN_IF_ERROR(ort::OrtSession::Load(config.model_path, config.session, &encoder->session_));
  if (encoder->session_->output_last_dim() > 0) {
    encoder->hidden_size_ = static_cast<size_t>(encoder->session_->output_last_dim());
  } else {
    SK_RETURN_IF_ERROR(encoder->ProbeHiddenSize());
  }
  encoder->dimension_ = PooledDimension(config.pooling, encoder->hidden_size_);
  *out = std::move(encoder);
  return Status::Ok();
}

// Models exported with a symbolic hidden size only reveal it when run.
Status SentenceEncoder::ProbeHiddenSize() {
  tok::Encoding encoding;
  tok::EncodeOptions options;
  options.max_length = config_.max_seq_length;
  SK_RETURN_IF_ERROR(tokenizer_->Encode("", options, &encoding));
  std::vector<tok::Encoding> encodings{encoding};
  const size_t row = 0;
  PaddedBatch batch;
  batch.Fill(encodings, &row, 1, tokenizer_->PadId());
  ort::TensorOutput output;
  SK_RETURN_IF_ERROR(session_->Run(batch.ids.data(), batch.mask.data(),
                                   session_->has_token_type_ids() ? batch.type_ids.data() : nullptr,
                                   batch.batch, batch.seq, &output));
  if (output.shape().size() != 3 || output.shape()[2] <= 0) {
    return ModelLoadError(config_.model_path + ": output '" + session_->output_name() +
                          "' is not [batch, sequence, hidden] token embeddings");
  }
  hidden_size_ = static_cast<size_t>(output.shape()[2]);
  return Status::Ok();
}

Status SentenceEncoder::Encode(const std::vector<std::string>& texts, const EncodeParams& params,
                               float* out) const {
  if (params.batch_size == 0) return InvalidArgument("batch_size must be positive");
  const size_t count = texts.size();
  if (count == 0) return Status::Ok();

  tok::EncodeOptions options;
  options.max_length = config_.max_seq_length;
  std::vector<tok::Encoding> encodings(count);
  for (size_t i = 0; i < count; ++i) {
    SK_RETURN_IF_ERROR(tokenizer_->Encode(texts[i], options, &encodings[i]));
  }

  // Longest first, as sentence-transformers does, so each batch pads to a similar length.
  std::vector<size_t> order(count);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return encodings[a].ids.size() > encodings[b].ids.size();
  });

  PaddedBatch batch;
  std::vector<float> pooled;
  std::vector<float> scratch;
  const int64_t pad_id = tokenizer_->PadId();
  for (size_t start = 0; start < count; start += params.batch_size) {
    const size_t rows = std::min(params.batch_size, count - start);
    batch.Fill(encodings, order.data() + start, rows, pad_id);

    ort::TensorOutput output;
    {
      std::lock_guard<std::mutex> lock(run_mutex_);
      SK_RETURN_IF_ERROR(session_->Run(batch.ids.data(), batch.mask.data(),
                                       session_->has_token_type_ids() ? batch.type_ids.data() : nullptr,
                                       batch.batch, batch.seq, &output));
    }
    const auto& shape = output.shape();
    if (shape.size() != 3 || shape[0] != static_cast<int64_t>(rows) ||
        shape[1] != static_cast<int64_t>(batch.seq) || shape[2] != static_cast<int64_t>(hidden_size_)) {
      return RuntimeError(config_.model_path + ": output '" + session_->output_name() +
                          "' does not have shape [batch, sequence, " + std::to_string(hidden_size_) + "]");
    }

    pooled.resize(rows * dimension_);
    Pool(config_.pooling, output.data(), batch.mask.data(), rows, batch.seq, hidden_size_,
         pooled.data(), &scratch);
    if (params.normalize) kernels::L2NormalizeRows(pooled.data(), rows, dimension_);
    for (size_t r = 0; r < rows; ++r) {
      std::copy_n(pooled.data() + r * dimension_, dimension_, out + order[start + r] * dimension_);
    }
  }
  return Status::Ok();
}

}  // namespace sk::pipeline
