// The public face of the native tokenizer: built from a Hugging Face tokenizer.json and
// producing exactly what Python `tokenizers` produces for the same document.
//
// A Tokenizer is immutable after construction and Encode* may be called from many threads
// at once (any internal cache must be thread-safe).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace sk::tok {

// One encoded sequence (or pair), unpadded.
struct Encoding {
  std::vector<int64_t> ids;
  std::vector<int64_t> type_ids;
  std::vector<int64_t> attention_mask;        // all ones until padding is applied by the caller
  std::vector<uint8_t> special_tokens_mask;   // 1 where the post-processor added the token
  // Each token's [begin, end) in the input's code points (of the first or the second text),
  // {0, 0} for the post-processor's tokens, as tokenizers' Encoding.offsets gives them in Python.
  // Filled only when EncodeOptions::offsets asks.
  std::vector<std::pair<uint32_t, uint32_t>> offsets;
};

enum class TruncationStrategy { kLongestFirst, kOnlyFirst, kOnlySecond };
enum class TruncationSide { kRight, kLeft };

// Per-call options; mirrors `tokenizer(text, truncation=..., max_length=...)` in transformers.
struct EncodeOptions {
  bool add_special_tokens = true;
  // 0 means no truncation. Counts the special tokens, as transformers does.
  size_t max_length = 0;
  TruncationStrategy strategy = TruncationStrategy::kLongestFirst;
  TruncationSide side = TruncationSide::kRight;
  // Track where each token came from (Encoding::offsets); a slower path, for /tokenize.
  bool offsets = false;
};

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  // Parses a tokenizer.json document. Unsupported components give a kTokenizer Status that
  // names the component (e.g. "unsupported pre_tokenizer type 'Foo'"). `lowercase` prepends a
  // Lowercase normalizer unless there is one, as sentence-transformers does for do_lower_case.
  static Status FromJson(std::string_view json, std::unique_ptr<Tokenizer>* out, bool lowercase = false);
  // Reads and parses a tokenizer.json file; errors name the file.
  static Status FromFile(const std::string& path, std::unique_ptr<Tokenizer>* out, bool lowercase = false);

  // Encodes one UTF-8 text. Invalid UTF-8 bytes are treated as U+FFFD.
  virtual Status Encode(std::string_view text, const EncodeOptions& options,
                        Encoding* out) const = 0;
  // Encodes a (first, second) pair as one sequence, as cross-encoders need.
  virtual Status EncodePair(std::string_view first, std::string_view second,
                            const EncodeOptions& options, Encoding* out) const = 0;

  // Decodes ids back to text through the tokenizer.json decoder.
  virtual Status Decode(const std::vector<int64_t>& ids, bool skip_special_tokens,
                        std::string* out) const = 0;

  virtual std::optional<int64_t> TokenToId(std::string_view token) const = 0;
  virtual std::optional<std::string> IdToToken(int64_t id) const = 0;
  virtual size_t VocabSize() const = 0;

  // Padding id and token from tokenizer.json's "padding" section, else the model's pad
  // token ([PAD] / <pad>) when the vocabulary has one, else 0.
  virtual int64_t PadId() const = 0;
  // Whether tokenizer.json's "padding" section pads on the left ("direction": "Left").
  // tokenizer_config.json's padding_side, when the model folder has one, takes precedence
  // (the caller reads that file).
  virtual bool PadsLeft() const { return false; }
  // Whether tokenizer.json's "truncation" section truncates on the left ("direction": "Left");
  // tokenizer_config.json's truncation_side takes precedence the same way (the caller reads it).
  virtual bool TruncatesLeft() const { return false; }
  // Number of special tokens the post-processor adds to a single sequence / a pair.
  virtual size_t NumSpecialTokens(bool pair) const = 0;
};

}  // namespace sk::tok
