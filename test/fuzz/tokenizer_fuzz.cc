// Fuzz target for the native tokenizer: arbitrary bytes as text for every fixture
// tokenizer.json, and arbitrary bytes as a tokenizer.json document (parsed, and when it
// loads, used to encode, decode and truncate). Built by test/fuzz/run.sh as a libFuzzer target
// with clang, or with g++ and the random-input driver below, under ASan and UBSan.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace {

std::string FixturesDir() {
  const char* dir = std::getenv("SENTENCEKIT_FIXTURES");
  return std::string(dir != nullptr ? dir : "test/fixtures") + "/tokenizers";
}

const std::vector<std::unique_ptr<sk::tok::Tokenizer>>& FixtureTokenizers() {
  static const auto tokenizers = [] {
    std::vector<std::unique_ptr<sk::tok::Tokenizer>> loaded;
    for (const char* family : {"bert", "mpnet", "roberta", "xlmr"}) {
      std::unique_ptr<sk::tok::Tokenizer> tokenizer;
      if (!sk::tok::Tokenizer::FromFile(FixturesDir() + "/" + family + "/tokenizer.json", &tokenizer).ok()) std::abort();
      loaded.push_back(std::move(tokenizer));
    }
    return loaded;
  }();
  return tokenizers;
}

void Exercise(const sk::tok::Tokenizer& tokenizer, std::string_view text) {
  sk::tok::EncodeOptions options;
  sk::tok::Encoding encoding;
  if (!tokenizer.Encode(text, options, &encoding).ok()) return;
  if (encoding.ids.size() != encoding.type_ids.size() || encoding.ids.size() != encoding.attention_mask.size()) std::abort();
  std::string decoded;
  (void)tokenizer.Decode(encoding.ids, /*skip_special_tokens=*/true, &decoded);
  const size_t half = text.size() / 2;
  options.max_length = 5 + text.size() % 11;
  options.side = text.size() % 2 == 0 ? sk::tok::TruncationSide::kLeft : sk::tok::TruncationSide::kRight;
  options.strategy = static_cast<sk::tok::TruncationStrategy>(text.size() % 3);
  if (tokenizer.EncodePair(text.substr(0, half), text.substr(half), options, &encoding).ok() &&
      encoding.ids.size() > options.max_length) {
    std::abort();  // truncation must hold its promise
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 4 != 0) {
    for (const auto& tokenizer : FixtureTokenizers()) Exercise(*tokenizer, input);
    return 0;
  }
  std::unique_ptr<sk::tok::Tokenizer> tokenizer;
  if (!sk::tok::Tokenizer::FromJson(input, &tokenizer).ok()) return 0;
  Exercise(*tokenizer, "Hello, wörld! 你好 <s> [CLS] \xF0\x9F\x98\x80 x  y\t\n");
  Exercise(*tokenizer, input.substr(0, 256));
  return 0;
}
