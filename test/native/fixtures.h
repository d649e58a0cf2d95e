// Locating and reading the committed fixtures from native tests.
#pragma once

#include <cstdlib>
#include <string>

#include "core/file_util.h"
#include "core/json.h"

namespace sktest {

inline std::string FixturePath(const std::string& relative) {
  const char* root = std::getenv("SENTENCEKIT_FIXTURES");
  return (root != nullptr ? std::string(root) : std::string(SENTENCEKIT_SOURCE_DIR) + "/test/fixtures") + "/" + relative;
}

// Parses a fixture JSON file; aborts the test binary with a message if it cannot.
inline sk::JsonValue ReadFixtureJson(const std::string& relative) {
  std::string text;
  sk::Status status = sk::ReadWholeFile(FixturePath(relative), &text);
  sk::JsonValue value;
  if (status.ok()) status = sk::JsonValue::Parse(text, &value);
  if (!status.ok()) throw std::runtime_error(status.message());
  return value;
}

inline std::vector<int64_t> IntArray(const sk::JsonValue& array) {
  std::vector<int64_t> result;
  for (const sk::JsonValue& item : array.array()) result.push_back(item.integer());
  return result;
}

}  // namespace sktest
