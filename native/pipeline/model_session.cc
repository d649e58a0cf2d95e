#include "pipeline/model_session.h"

#include "pipeline/padded_batch.h"

namespace sk::pipeline {

Status ModelSession::LoadTokenizer(const ModelFiles& files) {
  if (files.tokenizer_json.empty()) {
    SK_RETURN_IF_ERROR(tok::Tokenizer::FromFile(files.tokenizer_path, &tokenizer, files.lowercase));
  } else {
    Status status = tok::Tokenizer::FromJson(files.tokenizer_json, &tokenizer, files.lowercase);
    if (!status.ok()) return Status(status.code(), files.tokenizer_path + ": " + status.message());
  }
  pads_left = files.padding_side == TokenizerSide::kTokenizer ? tokenizer->PadsLeft()
                                                            : files.padding_side == TokenizerSide::kLeft;
  const bool truncate_left = files.truncation_side == TokenizerSide::kTokenizer
                                 ? tokenizer->TruncatesLeft()
                                 : files.truncation_side == TokenizerSide::kLeft;
  truncation_side = truncate_left ? tok::TruncationSide::kLeft : tok::TruncationSide::kRight;
  pad_id = tokenizer->PadId();
  if (!files.pad_token.empty()) {
    const std::optional<int64_t> id = tokenizer->TokenToId(files.pad_token);
    if (!id) return ModelLoadError(files.tokenizer_path + ": the pad token " + files.pad_token + " is not in the vocabulary");
    pad_id = *id;
  }
  return Status::Ok();
}

Status ModelSession::Load(const ModelFiles& files) {
  if (files.max_length == 0) return InvalidArgument("max_length must be positive");
  SK_RETURN_IF_ERROR(LoadTokenizer(files));
  return ort::OrtSession::Load(files.model_path, files.session, &session);
}

void ModelSession::Fill(const std::vector<tok::Encoding>& encodings, const size_t* rows, size_t count,
                        PaddedBatch* target, ort::IoCounters* counters) const {
  target->pad_left = pads_left;
  target->Fill(encodings, rows, count, pad_id, counters, session->has_position_ids());
}

Status ModelSession::ProbeLastDimension(size_t max_length, int64_t* out) const {
  tok::EncodeOptions options;
  options.max_length = max_length;
  std::vector<tok::Encoding> encodings(1);
  SK_RETURN_IF_ERROR(tokenizer->Encode("", options, &encodings[0]));
  const size_t row = 0;
  PaddedBatch batch;
  Fill(encodings, &row, 1, &batch);
  ort::TensorOutput output;
  std::lock_guard<std::mutex> lock(run_mutex);
  SK_RETURN_IF_ERROR(session->Run(batch.Inputs(), batch.batch, batch.seq, &output));
  if (output.shape().empty()) return ModelLoadError(session->model_path() + ": output is a scalar");
  *out = output.shape().back();
  return Status::Ok();
}

ort::IoCounters ModelSession::Counters() const {
  std::lock_guard<std::mutex> lock(run_mutex);
  return io.counters;
}

Status ModelSession::LastDimension(size_t max_length, size_t* out) const {
  int64_t dimension = session->output_last_dim();
  if (dimension <= 0) SK_RETURN_IF_ERROR(ProbeLastDimension(max_length, &dimension));
  if (dimension <= 0) return ModelLoadError(session->model_path() + ": output has no positive last dimension");
  *out = static_cast<size_t>(dimension);
  return Status::Ok();
}

}  // namespace sk::pipeline
