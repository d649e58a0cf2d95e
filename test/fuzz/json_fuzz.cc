// Fuzz target for native/core/json.cc, the reader of every JSON file a model folder brings
// (tokenizer.json, config.json, safetensors headers): any bytes parse or fail with a Status,
// and a parsed document holds only valid UTF-8 strings (bad bytes become U+FFFD).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/json.h"

namespace {

bool ValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const unsigned char lead = static_cast<unsigned char>(text[i]);
    size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 0;
    if (length == 0 || i + length > text.size()) return false;
    char32_t cp = length == 1 ? lead : length == 2 ? lead & 0x1F : length == 3 ? lead & 0x0F : lead & 0x07;
    for (size_t k = 1; k < length; ++k) {
      const unsigned char next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (next & 0x3F);
    }
    const char32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < smallest[length] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += length;
  }
  return true;
}

// Walks the document; returns its node count (so the walk cannot be optimized away).
size_t Walk(const sk::JsonValue& value, int depth) {
  if (depth > 300) std::abort();  // the parser promises at most 256 levels
  size_t nodes = 1;
  switch (value.type()) {
    case sk::JsonValue::Type::kString:
      if (!ValidUtf8(value.string())) std::abort();
      break;
    case sk::JsonValue::Type::kNumber:
      if (value.is_integer() && value.number_text().find_first_of(".eE") != std::string::npos) std::abort();
      break;
    case sk::JsonValue::Type::kArray:
      for (const sk::JsonValue& item : value.array()) nodes += Walk(item, depth + 1);
      break;
    case sk::JsonValue::Type::kObject:
      for (size_t i = 0; i < value.members().size(); ++i) {
        const auto& [key, item] = value.members()[i];
        if (!ValidUtf8(key)) std::abort();
        // Find is linear: checked for the first members only, so a large map stays fast.
        if (i < 8 && value.Find(key) == nullptr) std::abort();
        nodes += Walk(item, depth + 1);
      }
      break;
    default:
      break;
  }
  return nodes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sk::JsonValue document;
  const sk::Status status = sk::JsonValue::Parse(std::string_view(reinterpret_cast<const char*>(data), size), &document);
  if (status.ok()) {
    if (Walk(document, 0) == 0) std::abort();
  } else if (status.message().empty()) {
    std::abort();  // every refusal says why
  }
  return 0;
}
