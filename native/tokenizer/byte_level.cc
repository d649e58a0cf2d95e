#include "tokenizer/byte_level.h"

#include <array>

#include "core/utf8.h"
#include "tokenizer/unicode.h"

namespace sk::tok::byte_level {
namespace {

// GPT-2's bytes_to_unicode: printable Latin-1 bytes stand for themselves, the other 68 bytes
// take the code points from U+0100 on, in byte order.
struct Tables {
  std::array<char32_t, 256> to_char{};
  std::array<int, 324> to_byte{};
  Tables() {
    to_byte.fill(-1);
    char32_t next = 256;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
      to_char[b] = printable ? static_cast<char32_t>(b) : next++;
      to_byte[to_char[b]] = b;
    }
  }
};

const Tables& GetTables() {
  static const Tables tables;
  return tables;
}

enum class Kind { kLetter, kNumber, kSpace, kOther };

// The pattern's classes are Oniguruma's (tokenizers compiles it with onig).
Kind Classify(char32_t c) {
  if (unicode::IsRegexSpace(c)) return Kind::kSpace;
  if (unicode::IsRegexLetter(c)) return Kind::kLetter;
  if (unicode::IsRegexNumber(c)) return Kind::kNumber;
  return Kind::kOther;
}

// Length of the contraction ('s 't 're 've 'm 'll 'd) at text[i], or 0.
size_t Contraction(const std::u32string& text, size_t i) {
  if (text[i] != U'\'' || i + 1 >= text.size()) return 0;
  const char32_t a = text[i + 1];
  if (a == U's' || a == U't' || a == U'm' || a == U'd') return 2;
  if (i + 2 < text.size()) {
    const char32_t b = text[i + 2];
    if ((a == U'r' && b == U'e') || (a == U'v' && b == U'e') || (a == U'l' && b == U'l')) return 3;
  }
  return 0;
}

}  // namespace

char32_t ByteToChar(unsigned char byte) { return GetTables().to_char[byte]; }

int CharToByte(char32_t c) {
  const auto& to_byte = GetTables().to_byte;
  return c < to_byte.size() ? to_byte[c] : -1;
}

void AppendMapped(const std::u32string& text, size_t begin, size_t end, std::u32string* out) {
  const auto& to_char = GetTables().to_char;
  std::string bytes;
  for (size_t i = begin; i < end; ++i) {
    const char32_t c = text[i];
    if (c < 0x80) {
      out->push_back(to_char[c]);
      continue;
    }
    bytes.clear();
    utf8::Append(c, &bytes);
    for (unsigned char b : bytes) out->push_back(to_char[b]);
  }
}

void SplitGpt2(const std::u32string& text, std::vector<std::pair<size_t, size_t>>* out) {
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    if (const size_t length = Contraction(text, i)) {
      out->emplace_back(i, i + length);
      i += length;
      continue;
    }
    const char32_t c = text[i];
    Kind kind = Classify(c);
    size_t start = i;
    size_t j = i;
    if (c == U' ' && i + 1 < n && Classify(text[i + 1]) != Kind::kSpace) {
      // " ?X+": the space joins the run of the class that follows it.
      j = i + 1;
      kind = Classify(text[j]);
    }
    if (kind != Kind::kSpace) {
      ++j;
      while (j < n && Classify(text[j]) == kind) ++j;
      out->emplace_back(start, j);
      i = j;
      continue;
    }
    // Whitespace: "\s+(?!\S)" leaves the last space to the word after it; "\s+" takes a
    // single one.
    j = i + 1;
    while (j < n && unicode::IsRegexSpace(text[j])) ++j;
    if (j < n && j - i >= 2) --j;
    out->emplace_back(i, j);
    i = j;
  }
}

}  // namespace sk::tok::byte_level
