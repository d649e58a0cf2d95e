// Unicode character classes and normalization forms as Hugging Face tokenizers uses them,
// backed by utf8proc (linked statically).
#pragma once

#include <string>

namespace sk::tok::unicode {

// Rust's char::is_whitespace (the White_Space property).
bool IsWhitespace(char32_t c);
// BertNormalizer's control test: categories Cc, Cf, Co, Cs, except \t \n \r (unassigned
// code points, Cn, are kept: Rust's is_other does not include them).
bool IsBertControl(char32_t c);
// Any P* category, or ASCII punctuation/symbols (Rust's is_ascii_punctuation).
bool IsBertPunctuation(char32_t c);
// Unicode P* categories only.
bool IsPunctuation(char32_t c);
// The CJK ideograph blocks BERT pads with spaces.
bool IsChineseChar(char32_t c);
bool IsMarkNonspacing(char32_t c);  // Mn
bool IsMark(char32_t c);             // Mn, Mc, Me
bool IsDigit(char32_t c);          // Nd
bool IsNumeric(char32_t c);        // Nd, Nl, No (Rust's char::is_numeric)
bool IsAlphanumeric(char32_t c);   // L*, N*
bool IsLetter(char32_t c);         // L* (regex \p{L})
// \w as the regex crate defines it: alphanumeric, marks, connector punctuation.
bool IsWordChar(char32_t c);

// Appends the full lowercase mapping of `c` (U+0130 maps to two code points).
void AppendLowercase(char32_t c, std::u32string* out);

enum class Form { kNFC, kNFD, kNFKC, kNFKD };
std::u32string Normalize(const std::u32string& text, Form form);

}  // namespace sk::tok::unicode
