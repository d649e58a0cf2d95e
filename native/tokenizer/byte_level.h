// GPT-2's byte-level scheme, as tokenizers' ByteLevel pre-tokenizer and decoder use it: every
// byte of the UTF-8 text is shown as one printable code point, and the text is first cut with
// GPT-2's pattern 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace sk::tok::byte_level {

// The printable code point standing for `byte`.
char32_t ByteToChar(unsigned char byte);
// The byte a printable code point stands for, or -1 when it stands for none.
int CharToByte(char32_t c);

// Appends the byte-level form of `text` (each code point's UTF-8 bytes mapped by ByteToChar).
void AppendMapped(const std::u32string& text, size_t begin, size_t end, std::u32string* out);

// The [begin, end) ranges GPT-2's pattern matches in `text`, in order, covering it.
void SplitGpt2(const std::u32string& text, std::vector<std::pair<size_t, size_t>>* out);

}  // namespace sk::tok::byte_level
