#include "tokenizer/precompiled.h"

#include <cstring>

#include "core/utf8.h"
#include "tokenizer/grapheme.h"

namespace sk::tok {
namespace {

// Fields of a double-array unit, as darts-clone packs them.
inline bool HasLeaf(uint32_t unit) { return ((unit >> 8) & 1) == 1; }
inline uint32_t Value(uint32_t unit) { return unit & ((1u << 31) - 1); }
inline uint32_t Label(uint32_t unit) { return unit & ((1u << 31) | 0xFF); }
inline uint32_t Offset(uint32_t unit) { return (unit >> 10) << ((unit & (1u << 9)) >> 6); }

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

// Eight times the longest replacement of SentencePiece's NFKC charsmaps.
constexpr size_t kMaxReplacementBytes = 256;

}  // namespace

Status PrecompiledCharsmap::InitFromBase64(std::string_view base64) {
  std::string blob;
  blob.reserve(base64.size() / 4 * 3);
  uint32_t bits = 0;
  int count = 0;
  for (char c : base64) {
    if (c == '=' || c == '\n' || c == '\r') continue;
    const int value = Base64Value(c);
    if (value < 0) return TokenizerError("Precompiled charsmap is not valid base64");
    bits = (bits << 6) | static_cast<uint32_t>(value);
    if (++count == 4) {
      blob.push_back(static_cast<char>(bits >> 16));
      blob.push_back(static_cast<char>(bits >> 8));
      blob.push_back(static_cast<char>(bits));
      bits = 0;
      count = 0;
    }
  }
  if (count == 1) return TokenizerError("Precompiled charsmap is not valid base64");
  if (count == 2) blob.push_back(static_cast<char>(bits >> 4));
  if (count == 3) {
    blob.push_back(static_cast<char>(bits >> 10));
    blob.push_back(static_cast<char>(bits >> 2));
  }
  return Init(blob);
}

Status PrecompiledCharsmap::Init(std::string_view blob) {
  if (blob.size() < 4) return TokenizerError("Precompiled charsmap is too short");
  uint32_t trie_bytes = 0;
  std::memcpy(&trie_bytes, blob.data(), 4);  // little-endian, as on every platform we build for
  if (trie_bytes % 4 != 0 || trie_bytes > blob.size() - 4) return TokenizerError("Precompiled charsmap trie size is invalid");
  // Refused before the copy: memcpy into an empty vector's null data is undefined even for 0 bytes.
  if (trie_bytes == 0) return TokenizerError("Precompiled charsmap has an empty trie");
  units_.resize(trie_bytes / 4);
  std::memcpy(units_.data(), blob.data() + 4, trie_bytes);
  replacements_.assign(blob.substr(4 + trie_bytes));
  // Every character a rule matches becomes its replacement: one far longer than any rule writes
  // (NFKC's longest is 33 bytes) multiplies every text it applies to, and a fuzzed charsmap
  // mapping one letter to 300 KB made a short text take gigabytes.
  for (size_t begin = 0; begin < replacements_.size();) {
    size_t end = replacements_.find('\0', begin);
    if (end == std::string::npos) end = replacements_.size();
    if (end - begin > kMaxReplacementBytes) {
      return TokenizerError("Precompiled charsmap has a replacement of " + std::to_string(end - begin) + " bytes (at most " +
                            std::to_string(kMaxReplacementBytes) + ")");
    }
    begin = end + 1;
  }
  bmp_.assign(0x10000, -1);
  std::string chunk;
  for (char32_t c = 0; c < 0x10000; ++c) {
    if (c >= 0xD800 && c <= 0xDFFF) continue;
    chunk.clear();
    utf8::Append(c, &chunk);
    std::string_view replacement;
    if (Transform(chunk, &replacement)) bmp_[c] = static_cast<int32_t>(replacement.data() - replacements_.data());
  }
  return Status::Ok();
}

bool PrecompiledCharsmap::Transform(std::string_view chunk, std::string_view* replacement) const {
  size_t node = Offset(units_[0]);
  for (unsigned char c : chunk) {
    if (c == 0) return false;
    node ^= c;
    if (node >= units_.size()) return false;
    const uint32_t unit = units_[node];
    if (Label(unit) != c) return false;
    node ^= Offset(unit);
    if (node >= units_.size()) return false;
    if (HasLeaf(unit)) {
      const size_t begin = Value(units_[node]);
      if (begin >= replacements_.size()) return false;
      size_t end = replacements_.find('\0', begin);
      if (end == std::string::npos) end = replacements_.size();
      *replacement = std::string_view(replacements_).substr(begin, end - begin);
      return true;
    }
  }
  return false;
}

void PrecompiledCharsmap::Normalize(const std::u32string& text, std::u32string* out) const {
  out->clear();
  out->reserve(text.size());
  std::string chunk;
  std::string_view replacement;
  auto append_utf8 = [out](std::string_view utf8) {
    size_t pos = 0;
    while (pos < utf8.size()) out->push_back(utf8::Next(utf8, &pos));
  };
  size_t begin = 0;
  auto append_table = [&](char32_t c) {
    if (bmp_[c] < 0) {
      out->push_back(c);
    } else {
      const char* replacement = replacements_.data() + bmp_[c];
      append_utf8(std::string_view(replacement, std::strlen(replacement)));
    }
  };
  while (begin < text.size()) {
    const char32_t c = text[begin];
    // An ASCII character followed by another (CR LF aside) is a cluster of its own.
    if (c < 0x80 && (begin + 1 == text.size() || (text[begin + 1] < 0x80 && !(c == '\r' && text[begin + 1] == '\n')))) {
      append_table(c);
      ++begin;
      continue;
    }
    // One extended grapheme cluster [begin, end).
    const size_t end = unicode::GraphemeEnd(text, begin);
    if (end == begin + 1 && c < 0x10000) {  // a one-character cluster: whole or alone is the same lookup
      append_table(c);
      begin = end;
      continue;
    }
    chunk.clear();
    for (size_t i = begin; i < end; ++i) utf8::Append(text[i], &chunk);
    // Short clusters are looked up whole (and replaced whole by whatever key prefixes them);
    // otherwise each character on its own. tokenizers does exactly this, quirks included.
    if (chunk.size() < 6 && Transform(chunk, &replacement)) {
      append_utf8(replacement);
    } else {
      for (size_t i = begin; i < end; ++i) {
        chunk.clear();
        utf8::Append(text[i], &chunk);
        if (Transform(chunk, &replacement)) append_utf8(replacement);
        else out->push_back(text[i]);
      }
    }
    begin = end;
  }
}

// Normalize's walk, recording each replacement as tokenizers' Precompiled::normalize does
// (its `replace`: old characters against new ones).
void PrecompiledCharsmap::NormalizeChanges(const std::u32string& text, std::vector<Change>* out) const {
  out->clear();
  out->reserve(text.size());
  std::string chunk;
  std::string_view replacement;
  std::u32string decoded;
  auto replace = [&](size_t old_count, std::string_view utf8) {
    decoded.clear();
    size_t pos = 0;
    while (pos < utf8.size()) decoded.push_back(utf8::Next(utf8, &pos));
    AppendReplacement(out, old_count, decoded);
  };
  auto one = [&](char32_t c) {
    chunk.clear();
    utf8::Append(c, &chunk);
    if (Transform(chunk, &replacement)) replace(1, replacement);
    else out->push_back({c, 0});
  };
  size_t begin = 0;
  while (begin < text.size()) {
    const char32_t c = text[begin];
    if (c < 0x80 && (begin + 1 == text.size() || (text[begin + 1] < 0x80 && !(c == '\r' && text[begin + 1] == '\n')))) {
      one(c);
      ++begin;
      continue;
    }
    const size_t end = unicode::GraphemeEnd(text, begin);
    chunk.clear();
    for (size_t i = begin; i < end; ++i) utf8::Append(text[i], &chunk);
    if (chunk.size() < 6 && Transform(chunk, &replacement)) {
      replace(end - begin, replacement);
    } else {
      for (size_t i = begin; i < end; ++i) one(text[i]);
    }
    begin = end;
  }
}

}  // namespace sk::tok
