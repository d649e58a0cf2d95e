// Regular expressions for tokenizer.json's Split pre-tokenizer and Replace normalizer: PCRE2
// with UTF and UCP, its \s \w \d and \p{..} classes corrected to match what Oniguruma matches
// in Hugging Face tokenizers (regex_classes.h).
#pragma once

#include <cstdint>
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
  bool Affected(const std::u32string& text) const;

  // pcre2_code_8, kept out of this header: the pattern as written, and corrected where PCRE2's
  // classes and Oniguruma's disagree (null when they agree everywhere). Text with none of the
  // code points they disagree on runs the first, which is faster.
  void* code_ = nullptr;
  void* corrected_ = nullptr;
  std::vector<uint64_t> affected_;  // a bit per code point
};

// A literal string as a pattern that matches exactly it.
std::string EscapeRegex(const std::string& literal);

}  // namespace sk::tok
