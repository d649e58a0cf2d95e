#include "pipeline/sentence_encoder.h"

#include <algorithm>

#include "kernels/kernels.h"
#include "pipeline/token_id_input.h"

namespace sk::pipeline {

Status SentenceEncoder::Load(const SentenceEncoderConfig& config, std::unique_ptr<SentenceEncoder>* out) {
  SK_RETURN_IF_ERROR(ValidatePoolingSpec(config.pooling));
  std::unique_ptr<SentenceEncoder> encoder(new SentenceEncoder());
  encoder->config_ = config;
  SK_RETURN_IF_ERROR(encoder->tokenizer_.Load(config.files));
  SK_RETURN_IF_ERROR(LoadEncoderBackend(config.files, config.placement, Head::kNone, encoder->tokenizer_, &encoder->backend_));
  encoder->pooled_dimension_ = kernels::PooledDim(config.pooling, encoder->backend_->width());
  size_t width = encoder->pooled_dimension_;
  for (size_t i = 0; i < config.dense.size(); ++i) {
    const DenseLayer& layer = config.dense[i];
    SK_RETURN_IF_ERROR(layer.Validate());
    if (layer.in_features != width) {
      return ModelLoadError("Dense module " + std::to_string(i) + " expects " + std::to_string(layer.in_features) +
                            " inputs but the previous module gives " + std::to_string(width));
    }
    width = layer.out_features;
  }
  encoder->dimension_ = width;
  *out = std::move(encoder);
  return Status::Ok();
}

size_t SentenceEncoder::OutputDimension(const EncodeParams& params) const {
  return params.truncate_dim > 0 && params.truncate_dim < dimension_ ? params.truncate_dim : dimension_;
}

Status SentenceEncoder::EncodeTokens(const std::vector<std::string>& texts, size_t batch_size, size_t max_length,
                                     std::vector<float>* out, std::vector<int32_t>* token_counts,
                                     TokenizerSide side) const {
  std::vector<tok::Encoding> encodings;
  SK_RETURN_IF_ERROR(tokenizer_.Encode(config_.files, texts, max_length, backend_->max_positions(), &encodings, side));
  return Tokens(encodings, batch_size, out, token_counts);
}

Status SentenceEncoder::EncodeTokenIds(const std::vector<std::vector<int64_t>>& rows, size_t batch_size,
                                       size_t max_length, std::vector<float>* out, std::vector<int32_t>* token_counts,
                                       TokenizerSide side) const {
  std::vector<tok::Encoding> encodings;
  SK_RETURN_IF_ERROR(EncodingsFromIds(rows, vocab_size(), config_.files.MaxLength(max_length), tokenizer_.Side(side),
                                      backend_->max_positions(), &encodings));
  return Tokens(encodings, batch_size, out, token_counts);
}

Status SentenceEncoder::Tokens(const std::vector<tok::Encoding>& encodings, size_t batch_size, std::vector<float>* out,
                               std::vector<int32_t>* token_counts) const {
  // Each text's rows land at its own offset, so batches may arrive in any order.
  const size_t hidden = backend_->width();
  std::vector<size_t> offsets(encodings.size() + 1, 0);
  token_counts->resize(encodings.size());
  for (size_t i = 0; i < encodings.size(); ++i) {
    (*token_counts)[i] = static_cast<int32_t>(encodings[i].ids.size());
    offsets[i + 1] = offsets[i] + encodings[i].ids.size();
  }
  out->assign(offsets.back() * hidden, 0.0f);
  return backend_->Tokens(encodings, BatchLimits{batch_size}, [&](const BatchRows& rows, const float* const* tokens) {
    for (size_t r = 0; r < rows.count; ++r) {
      const size_t text = rows.rows[r];
      std::copy_n(tokens[r], (offsets[text + 1] - offsets[text]) * hidden, out->data() + offsets[text] * hidden);
    }
    return Status::Ok();
  });
}

Status SentenceEncoder::Encode(const std::vector<std::string>& texts, const EncodeParams& params, float* out) const {
  std::vector<tok::Encoding> encodings;
  SK_RETURN_IF_ERROR(tokenizer_.Encode(config_.files, texts, params.max_length, backend_->max_positions(), &encodings,
                                       params.truncation_side));
  return Run(encodings, params, out);
}

Status SentenceEncoder::EncodeIds(const std::vector<std::vector<int64_t>>& rows, const EncodeParams& params,
                                  float* out) const {
  std::vector<tok::Encoding> encodings;
  SK_RETURN_IF_ERROR(EncodingsFromIds(rows, vocab_size(), config_.files.MaxLength(params.max_length),
                                      tokenizer_.Side(params.truncation_side), backend_->max_positions(), &encodings));
  return Run(encodings, params, out);
}

Status SentenceEncoder::Run(const std::vector<tok::Encoding>& encodings, const EncodeParams& params, float* out) const {
  // Per-lane scratch for the Dense modules: lanes hand back batches at once.
  struct Scratch {
    std::vector<float> dense_in, dense_out;
  };
  std::vector<Scratch> scratch(backend_->lanes());
  // A Normalize module right after pooling may run where the pooling does.
  const PoolRequest request{config_.pooling, params.prompt_tokens, config_.normalize_module && config_.dense.empty()};
  const BatchLimits limits{params.batch_size, params.max_batch_tokens, params.max_padding};
  return backend_->Pooled(encodings, limits, request, [&](const BatchRows& rows, float* pooled, bool normalized) {
    Scratch& own = scratch[rows.lane];
    FinishRows(pooled, rows.rows, rows.count, params, own.dense_in, own.dense_out, out, normalized);
    return Status::Ok();
  });
}

void SentenceEncoder::FinishRows(float* pooled, const size_t* text_rows, size_t rows, const EncodeParams& params,
                                 std::vector<float>& dense_in, std::vector<float>& dense_out, float* out,
                                 bool normalized_by_backend) const {
  const size_t out_dim = OutputDimension(params);
  // Dense modules ping-pong between two buffers.
  float* current = pooled;
  for (const DenseLayer& layer : config_.dense) {
    dense_out.resize(rows * layer.out_features);
    layer.Apply(current, rows, dense_out.data());
    dense_in.swap(dense_out);
    current = dense_in.data();
  }
  if (config_.normalize_module && !normalized_by_backend) kernels::L2NormalizeRows(current, rows, dimension_);
  for (size_t r = 0; r < rows; ++r) {
    float* target = out + text_rows[r] * out_dim;
    std::copy_n(current + r * dimension_, out_dim, target);
    if (params.normalize) kernels::L2NormalizeRows(target, 1, out_dim);
  }
}

}  // namespace sk::pipeline
