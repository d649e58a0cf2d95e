// The stages of the tokenizer.json pipeline, as Hugging Face tokenizers defines them:
// normalizer → pre-tokenizer → model → post-processor, and a decoder for the way back.
// Text between stages is UTF-32 so every stage works on code points, as the Rust one does.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "tokenizer/alignment.h"
#include "tokenizer/tokenizer.h"

namespace sk::tok {

class Normalizer {
 public:
  virtual ~Normalizer() = default;
  virtual void Normalize(std::u32string* text) const = 0;
  // The same, keeping where each character came from (the /tokenize offsets path only).
  virtual void NormalizeAligned(AlignedPiece* piece) const = 0;
};

class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  // Splits every piece further (a Sequence applies its members one after another).
  // `starts_text`: the first piece begins the original text (Metaspace's prepend_scheme
  // "first" needs it).
  virtual void PreTokenize(std::vector<std::u32string>* pieces, bool starts_text) const = 0;
  // The same over aligned pieces (the /tokenize offsets path only).
  virtual void PreTokenize(std::vector<AlignedPiece>* pieces, bool starts_text) const = 0;
};

class Model {
 public:
  virtual ~Model() = default;
  // Appends the ids of one pre-tokenized piece.
  virtual void Tokenize(const std::u32string& piece, std::vector<int64_t>* ids) const = 0;
  // The same, appending each token's characters [begin, end) of `piece` to `spans` (the
  // /tokenize offsets path: no cache, since the cache keeps ids only).
  virtual void TokenizeWithSpans(const std::u32string& piece, std::vector<int64_t>* ids,
                                 std::vector<CharSpan>* spans) const = 0;
  virtual std::optional<int64_t> TokenToId(std::string_view token) const = 0;
  virtual std::optional<std::string> IdToToken(int64_t id) const = 0;
  virtual size_t VocabSize() const = 0;
};

class PostProcessor {
 public:
  virtual ~PostProcessor() = default;
  virtual size_t AddedTokens(bool pair) const = 0;
  // Builds the final sequence from one or two (already truncated) id lists.
  virtual void Process(const std::vector<int64_t>& first, const std::vector<int64_t>* second,
                       bool add_special_tokens, Encoding* out) const = 0;
};

class Decoder {
 public:
  virtual ~Decoder() = default;
  // Rewrites the token strings; the tokenizer concatenates the result.
  virtual void Decode(std::vector<std::string>* tokens) const = 0;
};

// Factories: a null JSON value gives nullptr (the stage is absent); an unsupported type gives
// a kTokenizer Status naming it.
Status MakeNormalizer(const JsonValue& json, std::unique_ptr<Normalizer>* out);
// Lowercase followed by `inner` (which may be null): what sentence-transformers builds for
// do_lower_case when the tokenizer's normalizer has no Lowercase of its own.
std::unique_ptr<Normalizer> PrependLowercase(std::unique_ptr<Normalizer> inner);
// Whether a normalizer JSON is Lowercase or a Sequence holding one.
bool HasLowercaseNormalizer(const JsonValue& json);
Status MakePreTokenizer(const JsonValue& json, std::unique_ptr<PreTokenizer>* out);
Status MakeModel(const JsonValue& json, std::unique_ptr<Model>* out);
// `model` resolves token names to ids for processors that name tokens.
Status MakePostProcessor(const JsonValue& json, const Model& model, std::unique_ptr<PostProcessor>* out);
// Whether a post_processor JSON (RobertaProcessing or ByteLevel, alone or in a Sequence) trims
// the spaces off byte-level tokens' offsets, and with which add_prefix_space.
bool TrimsOffsets(const JsonValue& json, bool* add_prefix_space);
Status MakeDecoder(const JsonValue& json, std::unique_ptr<Decoder>* out);

// Small JSON readers shared by the factories.
std::string JsonString(const JsonValue& object, std::string_view key, std::string fallback = "");
bool JsonBool(const JsonValue& object, std::string_view key, bool fallback);
int64_t JsonInt(const JsonValue& object, std::string_view key, int64_t fallback);

}  // namespace sk::tok
