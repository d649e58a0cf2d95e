// UTF-8 decoding and encoding. Invalid input never fails: each bad byte becomes U+FFFD, as
// Node does when it turns a JavaScript string with lone surrogates into UTF-8.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sk::utf8 {

inline constexpr char32_t kReplacement = 0xFFFD;

// Decodes the code point at text[*pos] and advances *pos past it.
char32_t Next(std::string_view text, size_t* pos);

// Appends the UTF-8 form of a code point of two or more bytes (surrogates and out-of-range
// values as U+FFFD).
void AppendMultibyte(char32_t cp, std::string* out);

// Appends the UTF-8 form of `cp` (surrogates and out-of-range values as U+FFFD).
inline void Append(char32_t cp, std::string* out) {
  if (cp < 0x80) out->push_back(static_cast<char>(cp));
  else AppendMultibyte(cp, out);
}

std::u32string Decode(std::string_view text);

// Byte length of the sequence a valid lead byte starts.
inline size_t SequenceLength(unsigned char lead) {
  return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}
std::string Encode(std::u32string_view text);

}  // namespace sk::utf8
