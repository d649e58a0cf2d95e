// tokenizer.json's added_tokens: tokens matched in the text before the model sees it, so a
// literal "[CLS]" typed by a user becomes the [CLS] id, as in Hugging Face tokenizers.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/json.h"
#include "core/status.h"

namespace sk::tok {

struct AddedToken {
  std::u32string content;
  int64_t id = 0;
  bool special = false;
  bool normalized = false;  // matched in the normalized text instead of the raw text
  bool lstrip = false;      // swallows whitespace on its left
  bool rstrip = false;      // swallows whitespace on its right
  bool single_word = false; // only matches a whole word
};

// A piece of text after splitting on added tokens: either a token id or text to tokenize.
struct Segment {
  bool is_token = false;
  int64_t id = 0;
  std::u32string text;
  // The segment's characters [begin, end) of the text that was split.
  uint32_t begin = 0;
  uint32_t end = 0;
};

class AddedVocabulary {
 public:
  Status Init(const JsonValue& added_tokens);

  // Splits `text` on the added tokens whose `normalized` flag equals `normalized`, with
  // leftmost-longest matching.
  void Split(std::u32string text, bool normalized, std::vector<Segment>* out) const;

  bool HasNormalized() const { return has_normalized_; }
  const AddedToken* FindById(int64_t id) const;
  const AddedToken* FindByContent(const std::string& utf8) const;

 private:
  std::vector<AddedToken> tokens_;
  // Candidate tokens by first code point, longest first.
  std::unordered_map<char32_t, std::vector<size_t>> by_first_char_[2];
  // Bits for the first characters in the BMP, so most characters skip the hash lookup.
  std::vector<uint64_t> first_char_bits_[2];
  std::unordered_map<int64_t, size_t> by_id_;
  bool has_normalized_ = false;
};

}  // namespace sk::tok
