// Locating and reading the committed fixtures from native tests.
#pragma once

#include <cstdlib>
#include <string>

#include "check.h"
#include "core/file_util.h"
#include "core/json.h"

namespace sktest {

// SENTENCEKIT_TEST_SWEEP_STRIDE=N: an exhaustive sweep checks every Nth case. The sanitizer stages
// run the sweeps on a sample (every case in full would take most of their time), the plain suite
// on all.
inline size_t SweepStride() {
  const char* value = std::getenv("SENTENCEKIT_TEST_SWEEP_STRIDE");
  const long stride = value == nullptr ? 1 : std::strtol(value, nullptr, 10);
  return stride > 1 ? static_cast<size_t>(stride) : 1;
}

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

// A fixture model folder's config.json, as text (for tests that edit it into hostile variants).
inline std::string FixtureConfigText(const std::string& folder) {
  std::string text;
  CHECK(sk::ReadWholeFile(FixturePath(folder) + "/config.json", &text).ok()) << folder;
  return text;
}

// `text` with the first `from` replaced by `to`; a missing `from` fails the test (an edit that
// silently does nothing would make a refusal test pass on an unedited file).
inline std::string ReplaceFirst(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  CHECK(at != std::string::npos) << "no " << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

inline std::vector<int64_t> IntArray(const sk::JsonValue& array) {
  std::vector<int64_t> result;
  for (const sk::JsonValue& item : array.array()) result.push_back(item.integer());
  return result;
}

}  // namespace sktest
