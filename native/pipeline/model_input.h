// What every model class reads before a backend runs: its files, its tokenizer with transformers'
// padding and truncation sides, and each call's encodings (checked against the engine's
// positions).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "runtime/ort_session.h"
#include "tokenizer/tokenizer.h"

namespace sk::pipeline {

// transformers' padding_side or truncation_side: tokenizer_config.json's setting, else
// (kTokenizer) the direction tokenizer.json's padding / truncation section gives.
enum class TokenizerSide { kTokenizer, kLeft, kRight };

struct ModelFiles {
  std::string model_path;       // the .onnx file (ONNX Runtime only)
  std::string tokenizer_path;   // tokenizer.json; named in errors when tokenizer_json is given
  // A tokenizer.json document to load instead of reading tokenizer_path (one converted from a
  // folder's older vocabulary files).
  std::string tokenizer_json;
  size_t max_length = 512;      // truncation length in tokens, special tokens included
  bool lowercase = false;       // sentence_bert_config.json's do_lower_case
  TokenizerSide padding_side = TokenizerSide::kTokenizer;
  TokenizerSide truncation_side = TokenizerSide::kTokenizer;
  // tokenizer_config.json's pad_token, which transformers pads with; empty: the tokenizer's own.
  std::string pad_token;
  ort::SessionOptions session;

  // The truncation length of one call: `requested` (the model's max_seq_length set after
  // loading), else the one the model loaded with.
  size_t MaxLength(size_t requested) const { return requested > 0 ? requested : max_length; }
};

struct ModelTokenizer {
  std::unique_ptr<tok::Tokenizer> tokenizer;
  // How transformers pads batches for this tokenizer: which id, on which side.
  int64_t pad_id = 0;
  bool pads_left = false;
  // Which end of a text (or of each text of a pair) truncation drops.
  tok::TruncationSide truncation_side = tok::TruncationSide::kRight;

  // ERR_INVALID_ARGUMENT for a zero max_length, before anything is read.
  Status Load(const ModelFiles& files);

  // The side one call truncates on: `requested`, else (kTokenizer) the model's truncation_side.
  tok::TruncationSide Side(TokenizerSide requested) const;

  // Each text, truncated at files.MaxLength(max_length) tokens on Side(side); with
  // `positions` > 0, ERR_INVALID_ARGUMENT naming the first input longer than that.
  Status Encode(const ModelFiles& files, const std::vector<std::string>& texts, size_t max_length, size_t positions,
                std::vector<tok::Encoding>* encodings, TokenizerSide side = TokenizerSide::kTokenizer) const;
  Status EncodePairs(const ModelFiles& files, const std::vector<std::pair<std::string, std::string>>& pairs,
                     size_t max_length, size_t positions, std::vector<tok::Encoding>* encodings) const;
};

// sentence-transformers lets max_seq_length be set past the model's position embeddings; a text
// that then runs longer than those positions fails when it is encoded (torch's embedding lookup
// raises IndexError), while shorter texts still encode. sentencekit's own engines read the
// position table directly, so each input is checked before it runs: ERR_INVALID_ARGUMENT naming
// the first input with more than `positions` tokens.
Status CheckPositionLimit(const std::vector<tok::Encoding>& encodings, size_t positions);

}  // namespace sk::pipeline
