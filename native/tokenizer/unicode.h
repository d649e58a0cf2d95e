// Character classes, case and normalization exactly as Hugging Face tokenizers decides them.
// tokenizers answers from several crates frozen at different Unicode versions, so no one
// Unicode database agrees with it on every code point: the answers here come from tables
// generated from tokenizers itself (unicode_data.h, test/tools/unicode_tables.py), and each
// function names the component whose decision it reproduces.
#pragma once

#include <string>
#include <vector>

#include "tokenizer/alignment.h"
#include "tokenizer/unicode_data.h"

namespace sk::tok::unicode {

// The per-code-point entry of the class table (0 past U+10FFFF).
inline uint32_t Classes(char32_t c) {
  if (c > 0x10FFFF) return 0;
  return data::kClassBlocks[static_cast<size_t>(data::kClassIndex[c >> 7]) * 128 + (c & 127)];
}

// Rust's char::is_whitespace: WhitespaceSplit, BertPreTokenizer, Strip, added tokens' lstrip
// and rstrip, and (with \t \n \r) BertNormalizer's clean_text.
inline bool IsWhitespace(char32_t c) { return Classes(c) & data::kWhitespace; }
// What BertNormalizer's clean_text drops: NUL, U+FFFD and unicode_categories' "other" characters
// except \t \n \r.
inline bool IsCleanTextRemoved(char32_t c) { return Classes(c) & data::kCleanRemoves; }
// BertPreTokenizer's and Punctuation's punctuation: ASCII punctuation and unicode_categories' P*.
inline bool IsPunctuation(char32_t c) { return Classes(c) & data::kPunctuation; }
// The CJK ideograph blocks BertNormalizer pads with spaces (fixed ranges in tokenizers' code).
bool IsChineseChar(char32_t c);
// unicode_categories' Mn, as BertNormalizer's strip_accents tests it after NFD (a character NFD
// changes is never tested, so the table leaves it out).
inline bool IsMarkNonspacing(char32_t c) { return Classes(c) & data::kNonspacingMark; }
// unicode-normalization's is_combining_mark: what the StripAccents normalizer drops.
inline bool IsCombiningMark(char32_t c) { return Classes(c) & data::kCombiningMark; }
// Rust's char::is_numeric: the Digits pre-tokenizer.
inline bool IsNumeric(char32_t c) { return Classes(c) & data::kNumeric; }
// The Whitespace pre-tokenizer's \w and \s (the regex crate's), also the word test of added
// tokens' single_word.
inline bool IsWordChar(char32_t c) { return Classes(c) & data::kWord; }
inline bool IsWordSpace(char32_t c) { return Classes(c) & data::kWordSpace; }

// Oniguruma's answers, for ByteLevel's GPT-2 pattern and the Split and Replace regexes.
inline int RegexCategory(char32_t c) { return static_cast<int>(Classes(c) >> data::kCategoryShift & 31); }
inline bool IsRegexSpace(char32_t c) { return Classes(c) >> data::kRegexClassShift & 1; }
inline bool IsRegexWord(char32_t c) { return Classes(c) >> data::kRegexClassShift & 2; }
inline bool IsRegexDigit(char32_t c) { return Classes(c) >> data::kRegexClassShift & 4; }
// \p{L} and \p{N} (the categories' order is unicode_data.h's: Lu..Lo are 1-5, Nd..No 9-11).
inline bool IsRegexLetter(char32_t c) {
  const int category = RegexCategory(c);
  return category >= 1 && category <= 5;
}
inline bool IsRegexNumber(char32_t c) {
  const int category = RegexCategory(c);
  return category >= 9 && category <= 11;
}

// Appends Lowercase's mapping of `c` (Rust's char::to_lowercase: U+0130 gives two code points).
void AppendLowercase(char32_t c, std::u32string* out);

// NFC/NFD/NFKC/NFKD as unicode-normalization-alignments computes them.
enum class Form { kNFC, kNFD, kNFKC, kNFKD };
std::u32string Normalize(const std::u32string& text, Form form);
// The same as the changes tokenizers' NormalizedString::transform takes (the offsets path).
void NormalizeChanges(const std::u32string& text, Form form, std::vector<Change>* out);

}  // namespace sk::tok::unicode
