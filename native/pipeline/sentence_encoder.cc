#include "pipeline/sentence_encoder.h"

#include <algorithm>

#include "kernels/kernels.h"
#include "pipeline/sorted_batches.h"

namespace sk::pipeline {

Status SentenceEncoder::Load(const SentenceEncoderConfig& config, std::unique_ptr<SentenceEncoder>* out) {
  SK_RETURN_IF_ERROR(ValidatePoolingSpec(config.pooling));
  std::unique_ptr<SentenceEncoder> encoder(new SentenceEncoder());
  encoder->config_ = config;
  SK_RETURN_IF_ERROR(encoder->model_.Load(config.files));
  SK_RETURN_IF_ERROR(encoder->model_.LastDimension(config.files.max_length, &encoder->hidden_size_));
  encoder->dimension_ = PooledDimension(config.pooling, encoder->hidden_size_);
  *out = std::move(encoder);
  return Status::Ok();
}

Status SentenceEncoder::Encode(const std::vector<std::string>& texts, const EncodeParams& params,
                               float* out) const {
  tok::EncodeOptions options;
  options.max_length = config_.files.max_length;
  std::vector<tok::Encoding> encodings(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    SK_RETURN_IF_ERROR(model_.tokenizer->Encode(texts[i], options, &encodings[i]));
  }

  std::vector<float> pooled;
  std::vector<float> scratch;
  const ort::OrtSession& session = *model_.session;
  return RunSortedBatches(session, model_.run_mutex, encodings, params.batch_size, model_.tokenizer->PadId(),
                          [&](const BatchResult& result) -> Status {
    const size_t rows = result.count;
    const auto& shape = result.output.shape();
    if (shape.size() != 3 || shape[0] != static_cast<int64_t>(rows) ||
        shape[1] != static_cast<int64_t>(result.inputs.seq) || shape[2] != static_cast<int64_t>(hidden_size_)) {
      return RuntimeError(session.model_path() + ": output '" + session.output_name() +
                          "' does not have shape [batch, sequence, " + std::to_string(hidden_size_) + "]");
    }
    pooled.resize(rows * dimension_);
    Pool(config_.pooling, result.output.data(), result.inputs.mask.data(), rows, result.inputs.seq, hidden_size_,
         pooled.data(), &scratch);
    if (params.normalize) kernels::L2NormalizeRows(pooled.data(), rows, dimension_);
    for (size_t r = 0; r < rows; ++r) {
      std::copy_n(pooled.data() + r * dimension_, dimension_, out + result.rows[r] * dimension_);
    }
    return Status::Ok();
  });
}

}  // namespace sk::pipeline
