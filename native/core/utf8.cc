#include "core/utf8.h"

namespace sk::utf8 {

char32_t Next(std::string_view text, size_t* pos) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const size_t size = text.size();
  const size_t i = *pos;
  const unsigned char lead = bytes[i];
  if (lead < 0x80) {
    *pos = i + 1;
    return lead;
  }
  size_t length = 0;
  char32_t cp = 0;
  char32_t minimum = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, cp = lead & 0x1F, minimum = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, cp = lead & 0x0F, minimum = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, cp = lead & 0x07, minimum = 0x10000;
  } else {
    *pos = i + 1;
    return kReplacement;
  }
  if (i + length > size) {
    *pos = i + 1;
    return kReplacement;
  }
  for (size_t k = 1; k < length; ++k) {
    const unsigned char byte = bytes[i + k];
    if ((byte & 0xC0) != 0x80) {
      *pos = i + 1;
      return kReplacement;
    }
    cp = (cp << 6) | (byte & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are invalid UTF-8.
  if (cp < minimum || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
    *pos = i + 1;
    return kReplacement;
  }
  *pos = i + length;
  return cp;
}

void AppendMultibyte(char32_t cp, std::string* out) {
  if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = kReplacement;
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::u32string Decode(std::string_view text) {
  std::u32string result;
  result.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) result.push_back(Next(text, &pos));
  return result;
}

std::string Encode(std::u32string_view text) {
  std::string result;
  result.reserve(text.size());
  for (char32_t cp : text) Append(cp, &result);
  return result;
}

}  // namespace sk::utf8
