// The corrected Unicode classes of Split / Replace regexes (regex_classes.h) in every form a
// pattern may write them, on every scalar value, against the generated tables (which
// tokenizer_unicode_test checks against Python tokenizers): \p \P \p{^..} \pX, \s \S \w \W \d \D,
// alone and in plain and negated brackets. Whatever Unicode version this build's PCRE2 has.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "check.h"
#include "tokenizer/regex.h"
#include "tokenizer/regex_classes.h"
#include "tokenizer/unicode.h"

namespace {

namespace unicode = sk::tok::unicode;

int Category(const char* name) {
  for (int i = 0; i < unicode::data::kCategoryCount; ++i) {
    if (std::string(unicode::data::kCategoryNames[i]) == name) return i;
  }
  return -1;
}

// Runs `pattern` on every scalar value alone; the number of code points where matching it
// differs from `expected`, the first few reported.
size_t Mismatches(const std::string& pattern, const std::function<bool(char32_t)>& expected) {
  std::unique_ptr<sk::tok::Regex> regex;
  const sk::Status status = sk::tok::Regex::Compile(pattern, &regex);
  CHECK(status.ok()) << pattern << ": " << status.message();
  if (!status.ok()) return 1;
  size_t mismatches = 0, tested = 0;
  std::u32string text(1, U'\0');
  std::vector<std::pair<size_t, size_t>> matches;
  for (char32_t c = 0; c <= 0x10FFFF; ++c) {
    if (c >= 0xD800 && c <= 0xDFFF) continue;
    text[0] = c;
    matches.clear();
    regex->FindAll(text, &matches);
    const bool matched = matches.size() == 1 && matches[0] == std::make_pair(size_t{0}, size_t{1});
    ++tested;
    if (matched != expected(c) && ++mismatches <= 3) {
      CHECK(false) << pattern << " on U+" << std::hex << static_cast<uint32_t>(c) << std::dec << ": matched " << matched;
    }
  }
  CHECK(tested == 0x110000 - 0x800) << tested;
  return mismatches;
}

}  // namespace

TEST(tokenizer_regex_classes_match_the_tables_in_every_form) {
  const int lu = Category("Lu"), mn = Category("Mn"), me = Category("Me");
  CHECK(lu >= 0 && mn >= 0 && me >= 0);
  auto letter = [](char32_t c) { return unicode::IsRegexLetter(c); };
  auto number = [](char32_t c) { return unicode::IsRegexNumber(c); };
  const std::vector<std::pair<std::string, std::function<bool(char32_t)>>> cases = {
      {"\\p{L}", letter},
      {"\\pL", letter},
      {"\\P{L}", [&](char32_t c) { return !letter(c); }},
      {"\\p{^L}", [&](char32_t c) { return !letter(c); }},
      {"\\P{^N}", number},
      {"[\\P{N}]", [&](char32_t c) { return !number(c); }},
      {"[^\\P{Lu}]", [&](char32_t c) { return unicode::RegexCategory(c) == lu; }},
      {"[\\p{Mn}\\p{Me}x-z]", [&](char32_t c) {
         return unicode::RegexCategory(c) == mn || unicode::RegexCategory(c) == me || (c >= 'x' && c <= 'z');
       }},
      {"[^\\r\\n\\p{L}\\p{N}]", [&](char32_t c) { return c != '\r' && c != '\n' && !letter(c) && !number(c); }},
      {"\\S", [](char32_t c) { return !unicode::IsRegexSpace(c); }},
      {"\\W", [](char32_t c) { return !unicode::IsRegexWord(c); }},
      {"\\D", [](char32_t c) { return !unicode::IsRegexDigit(c); }},
      {"[\\s\\d]", [](char32_t c) { return unicode::IsRegexSpace(c) || unicode::IsRegexDigit(c); }},
  };
  for (const auto& [pattern, expected] : cases) CHECK(Mismatches(pattern, expected) == 0) << pattern;
}

TEST(tokenizer_regex_classes_leave_what_they_do_not_read) {
  // Quoted text, POSIX classes (the whole bracket), unknown properties and plain escapes stay as
  // written; a class in the same pattern is still corrected where this PCRE2 needs it.
  for (const std::string pattern : {"\\Q\\p{L}[\\s]\\E", "[[:alpha:]\\p{L}]", "\\p{Han}+", "[\\p{Greek}\\s]", "a\\.b\\x{41}"}) {
    CHECK(sk::tok::PatchUnicodeClasses(pattern).pattern == pattern) << pattern;
  }
  const sk::tok::PatchedPattern patched = sk::tok::PatchUnicodeClasses("\\Q\\E\\p{L}");
  CHECK(patched.pattern.rfind("\\Q\\E", 0) == 0) << patched.pattern;
  // The affected code points are exactly those the correction is about: sorted and unique.
  for (size_t i = 1; i < patched.affected.size(); ++i) CHECK(patched.affected[i - 1] < patched.affected[i]);
}
