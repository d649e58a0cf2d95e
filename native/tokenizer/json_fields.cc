#include "tokenizer/components.h"

namespace sk::tok {

std::string JsonString(const JsonValue& object, std::string_view key, std::string fallback) {
  const JsonValue* value = object.Find(key);
  return value != nullptr && value->is_string() ? value->string() : fallback;
}

bool JsonBool(const JsonValue& object, std::string_view key, bool fallback) {
  const JsonValue* value = object.Find(key);
  return value != nullptr && value->is_bool() ? value->bool_value() : fallback;
}

int64_t JsonInt(const JsonValue& object, std::string_view key, int64_t fallback) {
  const JsonValue* value = object.Find(key);
  return value != nullptr && value->is_integer() ? value->integer() : fallback;
}

}  // namespace sk::tok
