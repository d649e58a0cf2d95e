// A small JSON document model for reading configuration files (tokenizer.json). Objects keep
// their key order. Strings are UTF-8; escaped lone surrogates become U+FFFD. Depth is limited
// so hostile documents cannot exhaust the stack.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace sk {

class JsonValue {
 public:
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };

  JsonValue() = default;

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_bool() const { return type_ == Type::kBool; }
  bool is_number() const { return type_ == Type::kNumber; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_object() const { return type_ == Type::kObject; }

  bool bool_value() const { return bool_; }
  double number() const { return number_; }
  // The number as written, for readers that must convert it as another parser would
  // (tokenizer.json's scores, which `tokenizers` reads with serde_json).
  const std::string& number_text() const { return string_; }
  // True when the number was written without fraction or exponent and fits int64.
  bool is_integer() const { return is_number() && is_integer_; }
  int64_t integer() const { return integer_; }
  const std::string& string() const { return string_; }
  const std::vector<JsonValue>& array() const { return array_; }
  const std::vector<std::pair<std::string, JsonValue>>& members() const { return members_; }

  // The member named `key`, or nullptr (also when this is not an object). Linear: configs
  // are small; large maps (a vocabulary) are iterated through members().
  const JsonValue* Find(std::string_view key) const;

  static Status Parse(std::string_view text, JsonValue* out);

 private:
  friend class JsonParser;

  Type type_ = Type::kNull;
  bool bool_ = false;
  bool is_integer_ = false;
  double number_ = 0;
  int64_t integer_ = 0;
  std::string string_;  // a string's value, or a number's literal text
  std::vector<JsonValue> array_;
  std::vector<std::pair<std::string, JsonValue>> members_;
};

}  // namespace sk
