// Decoders of tokenizer.json (ids back to text, for SparseEncoder.decode and inspection).
#include <cstdio>

#include "core/utf8.h"
#include "tokenizer/byte_level.h"
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

// Byte-level tokens back to bytes, then UTF-8 (bad sequences become U+FFFD).
class ByteLevelDecoder : public Decoder {
 public:
  void Decode(std::vector<std::string>* tokens) const override {
    std::string bytes;
    for (const std::string& token : *tokens) {
      const std::u32string chars = utf8::Decode(token);
      std::string mapped;
      bool all_mapped = true;
      for (char32_t c : chars) {
        const int b = byte_level::CharToByte(c);
        if (b < 0) {
          all_mapped = false;
          break;
        }
        mapped.push_back(static_cast<char>(b));
      }
      bytes += all_mapped ? mapped : token;
    }
    tokens->assign(1, utf8::Encode(utf8::Decode(bytes)));
  }
};

class MetaspaceDecoder : public Decoder {
 public:
  MetaspaceDecoder(std::string replacement, bool drop_first) : replacement_(std::move(replacement)), drop_first_(drop_first) {}
  void Decode(std::vector<std::string>* tokens) const override {
    for (size_t i = 0; i < tokens->size(); ++i) {
      ReplaceAll(&(*tokens)[i], replacement_, i == 0 && drop_first_ ? "" : " ");
    }
  }

 private:
  std::string replacement_;
  bool drop_first_;
};

// <0xNN> tokens back to their bytes (runs of them joined into UTF-8 text).
class ByteFallbackDecoder : public Decoder {
 public:
  void Decode(std::vector<std::string>* tokens) const override {
    std::vector<std::string> result;
    std::string bytes;
    auto flush = [&] {
      if (bytes.empty()) return;
      result.push_back(utf8::Encode(utf8::Decode(bytes)));
      bytes.clear();
    };
    for (const std::string& token : *tokens) {
      unsigned value = 0;
      if (token.size() == 6 && token.compare(0, 3, "<0x") == 0 && token[5] == '>' &&
          std::sscanf(token.c_str() + 3, "%2x", &value) == 1) {
        bytes.push_back(static_cast<char>(value));
        continue;
      }
      flush();
      result.push_back(token);
    }
    flush();
    *tokens = std::move(result);
  }
};

class FuseDecoder : public Decoder {
 public:
  void Decode(std::vector<std::string>* tokens) const override {
    std::string joined;
    for (const std::string& token : *tokens) joined += token;
    tokens->assign(1, joined);
  }
};

class StripDecoder : public Decoder {
 public:
  StripDecoder(std::string content, size_t start, size_t stop) : content_(std::move(content)), start_(start), stop_(stop) {}
  void Decode(std::vector<std::string>* tokens) const override {
    const std::u32string content = utf8::Decode(content_);
    if (content.size() != 1) return;
    for (std::string& token : *tokens) {
      std::u32string chars = utf8::Decode(token);
      size_t begin = 0, end = chars.size();
      for (size_t i = 0; i < start_ && begin < end && chars[begin] == content[0]; ++i) ++begin;
      for (size_t i = 0; i < stop_ && end > begin && chars[end - 1] == content[0]; ++i) --end;
      token = utf8::Encode(std::u32string_view(chars).substr(begin, end - begin));
    }
  }

 private:
  std::string content_;
  size_t start_, stop_;
};

class ReplaceDecoder : public Decoder {
 public:
  ReplaceDecoder(std::string pattern, std::string content) : pattern_(std::move(pattern)), content_(std::move(content)) {}
  void Decode(std::vector<std::string>* tokens) const override {
    if (pattern_.empty()) return;
    for (std::string& token : *tokens) ReplaceAll(&token, pattern_, content_);
  }

 private:
  std::string pattern_, content_;
};

class SequenceDecoder : public Decoder {
 public:
  explicit SequenceDecoder(std::vector<std::unique_ptr<Decoder>> members) : members_(std::move(members)) {}
  void Decode(std::vector<std::string>* tokens) const override {
    for (const auto& member : members_) member->Decode(tokens);
  }

 private:
  std::vector<std::unique_ptr<Decoder>> members_;
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
  if (type == "ByteLevel") {
    *out = std::make_unique<ByteLevelDecoder>();
    return Status::Ok();
  }
  if (type == "Metaspace") {
    const JsonValue* prepend = json.Find("prepend_scheme");
    const bool drop_first = prepend != nullptr && prepend->is_string() ? prepend->string() != "never"
                                                                        : JsonBool(json, "add_prefix_space", true);
    *out = std::make_unique<MetaspaceDecoder>(JsonString(json, "replacement", "\xE2\x96\x81"), drop_first);
    return Status::Ok();
  }
  if (type == "ByteFallback") {
    *out = std::make_unique<ByteFallbackDecoder>();
    return Status::Ok();
  }
  if (type == "Fuse") {
    *out = std::make_unique<FuseDecoder>();
    return Status::Ok();
  }
  if (type == "Strip") {
    *out = std::make_unique<StripDecoder>(JsonString(json, "content", " "), static_cast<size_t>(JsonInt(json, "start", 0)),
                                          static_cast<size_t>(JsonInt(json, "stop", 0)));
    return Status::Ok();
  }
  if (type == "Replace") {
    const JsonValue* pattern = json.Find("pattern");
    const JsonValue* literal = pattern != nullptr ? pattern->Find("String") : nullptr;
    if (literal == nullptr || !literal->is_string()) return TokenizerError("unsupported decoder: Replace with a Regex pattern");
    *out = std::make_unique<ReplaceDecoder>(literal->string(), JsonString(json, "content"));
    return Status::Ok();
  }
  if (type == "Sequence") {
    const JsonValue* list = json.Find("decoders");
    if (list == nullptr || !list->is_array()) return TokenizerError("Sequence decoder needs 'decoders'");
    std::vector<std::unique_ptr<Decoder>> members;
    for (const JsonValue& item : list->array()) {
      std::unique_ptr<Decoder> member;
      SK_RETURN_IF_ERROR(MakeDecoder(item, &member));
      if (member) members.push_back(std::move(member));
    }
    *out = std::make_unique<SequenceDecoder>(std::move(members));
    return Status::Ok();
  }
  return TokenizerError("unsupported decoder type '" + type + "'");
}

}  // namespace sk::tok
