#include "pipeline/model_input.h"

namespace sk::pipeline {

Status ModelTokenizer::Load(const ModelFiles& files) {
  if (files.max_length == 0) return InvalidArgument("max_length must be positive");
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

tok::TruncationSide ModelTokenizer::Side(TokenizerSide requested) const {
  if (requested == TokenizerSide::kTokenizer) return truncation_side;
  return requested == TokenizerSide::kLeft ? tok::TruncationSide::kLeft : tok::TruncationSide::kRight;
}

Status ModelTokenizer::Encode(const ModelFiles& files, const std::vector<std::string>& texts, size_t max_length,
                              size_t positions, std::vector<tok::Encoding>* encodings, TokenizerSide side) const {
  tok::EncodeOptions options;
  options.max_length = files.MaxLength(max_length);
  options.side = Side(side);
  encodings->resize(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) SK_RETURN_IF_ERROR(tokenizer->Encode(texts[i], options, &(*encodings)[i]));
  return positions > 0 ? CheckPositionLimit(*encodings, positions) : Status::Ok();
}

Status ModelTokenizer::EncodePairs(const ModelFiles& files, const std::vector<std::pair<std::string, std::string>>& pairs,
                                   size_t max_length, size_t positions, std::vector<tok::Encoding>* encodings) const {
  tok::EncodeOptions options;
  options.max_length = files.MaxLength(max_length);
  options.side = truncation_side;
  encodings->resize(pairs.size());
  for (size_t i = 0; i < pairs.size(); ++i) {
    SK_RETURN_IF_ERROR(tokenizer->EncodePair(pairs[i].first, pairs[i].second, options, &(*encodings)[i]));
  }
  return positions > 0 ? CheckPositionLimit(*encodings, positions) : Status::Ok();
}

Status CheckPositionLimit(const std::vector<tok::Encoding>& encodings, size_t positions) {
  for (size_t i = 0; i < encodings.size(); ++i) {
    const size_t length = encodings[i].ids.size();
    if (length > positions) {
      return InvalidArgument("input " + std::to_string(i) + " has " + std::to_string(length) +
                             " tokens but the model has only " + std::to_string(positions) +
                             " positions: max_seq_length is set past the model's limit");
    }
  }
  return Status::Ok();
}

}  // namespace sk::pipeline
