#include "pipeline/sentence_encoder.h"

#include <algorithm>

#include "kernels/kernels.h"
#include "pipeline/position_limit.h"
#include "pipeline/sorted_batches.h"

namespace sk::pipeline {

Status SentenceEncoder::Load(const SentenceEncoderConfig& config, std::unique_ptr<SentenceEncoder>* out) {
  SK_RETURN_IF_ERROR(ValidatePoolingSpec(config.pooling));
  std::unique_ptr<SentenceEncoder> encoder(new SentenceEncoder());
  encoder->config_ = config;
  if (config.cuda.enabled) {
    SK_RETURN_IF_ERROR(encoder->LoadCuda());
  } else if (config.cpu_engine.enabled) {
    SK_RETURN_IF_ERROR(encoder->LoadCpuEngine());
  } else {
    SK_RETURN_IF_ERROR(encoder->model_.Load(config.files));
    SK_RETURN_IF_ERROR(encoder->model_.LastDimension(config.files.max_length, &encoder->hidden_size_));
  }
  encoder->pooled_dimension_ = kernels::PooledDim(config.pooling, encoder->hidden_size_);
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

Status SentenceEncoder::Tokenize(const std::vector<std::string>& texts, size_t max_length,
                                 std::vector<tok::Encoding>* encodings) const {
  tok::EncodeOptions options;
  options.max_length = config_.files.MaxLength(max_length);
  options.side = model_.truncation_side;
  encodings->resize(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    SK_RETURN_IF_ERROR(model_.tokenizer->Encode(texts[i], options, &(*encodings)[i]));
  }
  if (cuda_) return CheckPositionLimit(*encodings, CudaPositions(*cuda_));
  if (engine_) return CheckPositionLimit(*encodings, EnginePositions(*engine_));
  return Status::Ok();
}

Status SentenceEncoder::EncodeTokens(const std::vector<std::string>& texts, size_t batch_size, size_t max_length,
                                     std::vector<float>* out, std::vector<int32_t>* token_counts) const {
  std::vector<tok::Encoding> encodings;
  SK_RETURN_IF_ERROR(Tokenize(texts, max_length, &encodings));
  if (cuda_) {
    token_counts->resize(texts.size());
    for (size_t i = 0; i < texts.size(); ++i) (*token_counts)[i] = static_cast<int32_t>(encodings[i].ids.size());
    return EncodeTokensOnCuda(encodings, batch_size, out);
  }
  if (engine_) {
    token_counts->resize(texts.size());
    for (size_t i = 0; i < texts.size(); ++i) (*token_counts)[i] = static_cast<int32_t>(encodings[i].ids.size());
    return EncodeTokensOnCpuEngine(encodings, out);
  }
  // Each text's rows land at its own offset, so batches may arrive in any order.
  std::vector<size_t> offsets(texts.size() + 1, 0);
  token_counts->resize(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    (*token_counts)[i] = static_cast<int32_t>(encodings[i].ids.size());
    offsets[i + 1] = offsets[i] + encodings[i].ids.size();
  }
  out->assign(offsets.back() * hidden_size_, 0.0f);
  const ort::OrtSession& session = *model_.session;
  return RunSortedBatches(model_, encodings, BatchLimits{batch_size, kCpuBatchTokens},
                          [&](const BatchResult& result) -> Status {
    const size_t seq = result.inputs.seq;
    const auto& shape = result.output.shape();
    if (shape.size() != 3 || shape[1] != static_cast<int64_t>(seq) || shape[2] != static_cast<int64_t>(hidden_size_)) {
      return RuntimeError(session.model_path() + ": output is not [batch, sequence, hidden] token embeddings");
    }
    for (size_t r = 0; r < result.count; ++r) {
      const size_t text = result.rows[r];
      const size_t tokens = offsets[text + 1] - offsets[text];
      // The real tokens only: a left-padded row starts after its padding.
      const size_t start = result.inputs.RowStart(tokens);
      std::copy_n(result.output.data() + (r * seq + start) * hidden_size_, tokens * hidden_size_,
                  out->data() + offsets[text] * hidden_size_);
    }
    return Status::Ok();
  });
}

Status SentenceEncoder::Encode(const std::vector<std::string>& texts, const EncodeParams& params,
                               float* out) const {
  std::vector<tok::Encoding> encodings;
  SK_RETURN_IF_ERROR(Tokenize(texts, params.max_length, &encodings));
  if (cuda_) return EncodeOnCuda(encodings, params, out);
  if (engine_) return EncodeOnCpuEngine(encodings, params, out);

  std::vector<float>& pooled = pooled_;
  std::vector<float>& dense_in = dense_in_;
  std::vector<float>& dense_out = dense_out_;
  std::vector<int64_t>& prompt_lengths = prompt_lengths_;
  const ort::OrtSession& session = *model_.session;
  return RunSortedBatches(model_, encodings, BatchLimits{params.batch_size, CpuBatchTokens(params.max_batch_tokens), params.max_padding},
                          [&](const BatchResult& result) -> Status {
    const size_t rows = result.count;
    const size_t seq = result.inputs.seq;
    const auto& shape = result.output.shape();
    if (shape.size() != 3 || shape[0] != static_cast<int64_t>(rows) || shape[1] != static_cast<int64_t>(seq) ||
        shape[2] != static_cast<int64_t>(hidden_size_)) {
      return RuntimeError(session.model_path() + ": output '" + session.output_name() +
                          "' does not have shape [batch, sequence, " + std::to_string(hidden_size_) + "]");
    }

    // include_prompt: false — the prompt's tokens attend as usual but are not pooled.
    PoolingSpec spec = config_.pooling;
    if (params.prompt_tokens > 0) {
      prompt_lengths.assign(rows, static_cast<int64_t>(params.prompt_tokens));
      spec.prompt_lengths = prompt_lengths.data();
    }
    pooled.resize(rows * pooled_dimension_);
    SK_RETURN_IF_ERROR(kernels::Pool(spec, result.output.data(), result.inputs.mask.data(), rows, seq, hidden_size_,
                                     pooled.data()));
    FinishRows(pooled, result.rows, rows, params, dense_in, dense_out, out);
    return Status::Ok();
  });
}

void SentenceEncoder::FinishRows(std::vector<float>& pooled, const size_t* text_rows, size_t rows,
                                 const EncodeParams& params, std::vector<float>& dense_in, std::vector<float>& dense_out,
                                 float* out, bool normalized_on_device) const {
  const size_t out_dim = OutputDimension(params);
  // Dense modules ping-pong between two buffers.
  float* current = pooled.data();
  for (const DenseLayer& layer : config_.dense) {
    dense_out.resize(rows * layer.out_features);
    layer.Apply(current, rows, dense_out.data());
    dense_in.swap(dense_out);
    current = dense_in.data();
  }
  if (config_.normalize_module && !normalized_on_device) kernels::L2NormalizeRows(current, rows, dimension_);
  for (size_t r = 0; r < rows; ++r) {
    float* target = out + text_rows[r] * out_dim;
    std::copy_n(current + r * dimension_, out_dim, target);
    if (params.normalize) kernels::L2NormalizeRows(target, 1, out_dim);
  }
}

}  // namespace sk::pipeline
