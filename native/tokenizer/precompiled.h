// SentencePiece's precompiled normalization table (tokenizer.json's Precompiled normalizer,
// the "precompiled_charsmap" of XLM-R, T5, ALBERT...): a double-array trie from UTF-8 strings to
// their normalized replacements, applied per grapheme cluster as tokenizers does.
#pragma once

#include <cstdint>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "tokenizer/alignment.h"

namespace sk::tok {

class PrecompiledCharsmap {
 public:
  // `blob` is the decoded charsmap: u32 trie size in bytes, the trie units, then the
  // NUL-separated replacement strings.
  Status Init(std::string_view blob);
  // The same from tokenizer.json's base64 text.
  Status InitFromBase64(std::string_view base64);

  void Normalize(const std::u32string& text, std::u32string* out) const;
  // The same as tokenizers' changes for NormalizedString::transform (the offsets path).
  void NormalizeChanges(const std::u32string& text, std::vector<Change>* out) const;

 private:
  // The replacement for the shortest trie key that prefixes `chunk`, as spm_precompiled's
  // transform (the first common-prefix result) gives it.
  bool Transform(std::string_view chunk, std::string_view* replacement) const;

  std::vector<uint32_t> units_;
  std::string replacements_;
  // Transform of every BMP character alone (-1: none, else the replacement's offset), so
  // clusters of one character skip the trie walk.
  std::vector<int32_t> bmp_;
};

}  // namespace sk::tok
