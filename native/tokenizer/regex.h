// Regular expressions for tokenizer.json's Split pre-tokenizer and Replace normalizer: PCRE2
// with UTF and UCP, so \s \w \d and \p{..} classes follow Unicode as Oniguruma does in
// Hugging Face tokenizers.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace sk::tok {

class Regex {
 public:
  static Status Compile(const std::string& pattern, std::unique_ptr<Regex>* out);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  // The [begin, end) code point ranges of the successive non-overlapping matches. Thread-safe.
  void FindAll(const std::u32string& text, std::vector<std::pair<size_t, size_t>>* out) const;

 private:
  Regex() = default;
  void* code_ = nullptr;  // pcre2_code_8, kept out of this header
};

// A literal string as a pattern that matches exactly it.
std::string EscapeRegex(const std::string& literal);

}  // namespace sk::tok
