// Decoders of tokenizer.json (ids back to text, for SparseEncoder.decode and inspection).
#include "tokenizer/components.h"

namespace sk::tok {
namespace {

void ReplaceAll(std::string* text, std::string_view from, std::string_view to) {
  size_t pos = 0;
  while ((pos = text->find(from, pos)) != std::string::npos) {
    text->replace(pos, from.size(), to);
    pos += to.size();
  }
}

// tokenizers' cleanup of tokenization spaces around punctuation and English contractions.
void CleanupSpaces(std::string* text) {
  ReplaceAll(text, " .", ".");
  ReplaceAll(text, " ?", "?");
  ReplaceAll(text, " !", "!");
  ReplaceAll(text, " ,", ",");
  ReplaceAll(text, " ' ", "'");
  ReplaceAll(text, " n't", "n't");
  ReplaceAll(text, " 'm", "'m");
  ReplaceAll(text, " do not", " don't");
  ReplaceAll(text, " 's", "'s");
  ReplaceAll(text, " 've", "'ve");
  ReplaceAll(text, " 're", "'re");
}

class WordPieceDecoder : public Decoder {
 public:
  WordPieceDecoder(std::string prefix, bool cleanup) : prefix_(std::move(prefix)), cleanup_(cleanup) {}

  void Decode(std::vector<std::string>* tokens) const override {
    for (size_t i = 0; i < tokens->size(); ++i) {
      std::string& token = (*tokens)[i];
      if (token.compare(0, prefix_.size(), prefix_) == 0) {
        token.erase(0, prefix_.size());
      } else if (i != 0) {
        token.insert(0, " ");
      }
      if (cleanup_) CleanupSpaces(&token);
    }
  }

 private:
  std::string prefix_;
  bool cleanup_;
};

}  // namespace

Status MakeDecoder(const JsonValue& json, std::unique_ptr<Decoder>* out) {
  out->reset();
  if (json.is_null()) return Status::Ok();
  const std::string type = JsonString(json, "type");
  if (type == "WordPiece") {
    *out = std::make_unique<WordPieceDecoder>(JsonString(json, "prefix", "##"), JsonBool(json, "cleanup", true));
    return Status::Ok();
  }
  return TokenizerError("unsupported decoder type '" + type + "'");
}

}  // namespace sk::tok
