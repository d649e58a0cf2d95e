// Normalizers of tokenizer.json.
#include <utility>

#include "core/utf8.h"
#include "tokenizer/components.h"
#include "tokenizer/precompiled.h"
#include "tokenizer/regex.h"
#include "tokenizer/unicode.h"

namespace sk::tok {
namespace {

// BertNormalizer's strip_accents: NFD, then drop the nonspacing marks.
void StripAccents(std::u32string* text) {
  std::u32string decomposed = unicode::Normalize(*text, unicode::Form::kNFD);
  text->clear();
  for (char32_t c : decomposed) {
    if (!unicode::IsMarkNonspacing(c)) text->push_back(c);
  }
}

// The StripAccents normalizer: drops every combining mark and, unlike BertNormalizer, does not
// decompose first (tokenizer.json puts an NFD before it).
void StripCombiningMarks(std::u32string* text) {
  size_t kept = 0;
  for (char32_t c : *text) {
    if (!unicode::IsCombiningMark(c)) (*text)[kept++] = c;
  }
  text->resize(kept);
}

void Lowercase(std::u32string* text) {
  std::u32string lowered;
  lowered.reserve(text->size());
  for (char32_t c : *text) unicode::AppendLowercase(c, &lowered);
  *text = std::move(lowered);
}

// BERT's: drop control characters, spaces for whitespace, CJK ideographs padded with
// spaces, accents stripped (by default when lowercasing), lowercase — in that order.
class BertNormalizer : public Normalizer {
 public:
  BertNormalizer(bool clean_text, bool handle_chinese_chars, bool strip_accents, bool lowercase)
      : clean_text_(clean_text), handle_chinese_chars_(handle_chinese_chars),
        strip_accents_(strip_accents), lowercase_(lowercase) {}

  void Normalize(std::u32string* text) const override {
    if (clean_text_ || handle_chinese_chars_) {
      std::u32string cleaned;
      cleaned.reserve(text->size() + 8);
      for (char32_t c : *text) {
        if (clean_text_) {
          if (unicode::IsCleanTextRemoved(c)) continue;
          if (unicode::IsWhitespace(c)) c = U' ';
        }
        if (handle_chinese_chars_ && unicode::IsChineseChar(c)) {
          cleaned.push_back(U' ');
          cleaned.push_back(c);
          cleaned.push_back(U' ');
        } else {
          cleaned.push_back(c);
        }
      }
      *text = std::move(cleaned);
    }
    if (strip_accents_) StripAccents(text);
    if (lowercase_) Lowercase(text);
  }

 private:
  bool clean_text_, handle_chinese_chars_, strip_accents_, lowercase_;
};

class LowercaseNormalizer : public Normalizer {
 public:
  void Normalize(std::u32string* text) const override { Lowercase(text); }
};

class StripAccentsNormalizer : public Normalizer {
 public:
  void Normalize(std::u32string* text) const override { StripCombiningMarks(text); }
};

class UnicodeNormalizer : public Normalizer {
 public:
  explicit UnicodeNormalizer(unicode::Form form) : form_(form) {}
  void Normalize(std::u32string* text) const override { *text = unicode::Normalize(*text, form_); }

 private:
  unicode::Form form_;
};

class StripNormalizer : public Normalizer {
 public:
  StripNormalizer(bool left, bool right) : left_(left), right_(right) {}
  void Normalize(std::u32string* text) const override {
    size_t begin = 0;
    size_t end = text->size();
    if (left_) while (begin < end && unicode::IsWhitespace((*text)[begin])) ++begin;
    if (right_) while (end > begin && unicode::IsWhitespace((*text)[end - 1])) --end;
    *text = text->substr(begin, end - begin);
  }

 private:
  bool left_, right_;
};

class PrependNormalizer : public Normalizer {
 public:
  explicit PrependNormalizer(std::u32string prefix) : prefix_(std::move(prefix)) {}
  // tokenizers prepends only to non-empty text.
  void Normalize(std::u32string* text) const override {
    if (!text->empty()) text->insert(0, prefix_);
  }

 private:
  std::u32string prefix_;
};

// Replace with a literal pattern.
class ReplaceNormalizer : public Normalizer {
 public:
  ReplaceNormalizer(std::u32string pattern, std::u32string content)
      : pattern_(std::move(pattern)), content_(std::move(content)) {}
  void Normalize(std::u32string* text) const override {
    if (pattern_.empty()) return;
    std::u32string result;
    size_t pos = 0;
    for (;;) {
      const size_t found = text->find(pattern_, pos);
      if (found == std::u32string::npos) break;
      result.append(*text, pos, found - pos);
      result.append(content_);
      pos = found + pattern_.size();
    }
    result.append(*text, pos, std::u32string::npos);
    *text = std::move(result);
  }

 private:
  std::u32string pattern_, content_;
};

class RegexReplaceNormalizer : public Normalizer {
 public:
  RegexReplaceNormalizer(std::unique_ptr<Regex> regex, std::u32string content)
      : regex_(std::move(regex)), content_(std::move(content)) {}
  void Normalize(std::u32string* text) const override {
    std::vector<std::pair<size_t, size_t>> matches;
    regex_->FindAll(*text, &matches);
    if (matches.empty()) return;
    std::u32string result;
    size_t pos = 0;
    for (const auto& [begin, end] : matches) {
      result.append(*text, pos, begin - pos);
      result.append(content_);
      pos = end;
    }
    result.append(*text, pos, std::u32string::npos);
    *text = std::move(result);
  }

 private:
  std::unique_ptr<Regex> regex_;
  std::u32string content_;
};

class PrecompiledNormalizer : public Normalizer {
 public:
  explicit PrecompiledNormalizer(PrecompiledCharsmap charsmap) : charsmap_(std::move(charsmap)) {}
  void Normalize(std::u32string* text) const override {
    std::u32string result;
    charsmap_.Normalize(*text, &result);
    *text = std::move(result);
  }

 private:
  PrecompiledCharsmap charsmap_;
};

class SequenceNormalizer : public Normalizer {
 public:
  explicit SequenceNormalizer(std::vector<std::unique_ptr<Normalizer>> members) : members_(std::move(members)) {}
  void Normalize(std::u32string* text) const override {
    for (const auto& member : members_) member->Normalize(text);
  }

 private:
  std::vector<std::unique_ptr<Normalizer>> members_;
};

}  // namespace

std::unique_ptr<Normalizer> PrependLowercase(std::unique_ptr<Normalizer> inner) {
  std::vector<std::unique_ptr<Normalizer>> members;
  members.push_back(std::make_unique<LowercaseNormalizer>());
  if (inner) members.push_back(std::move(inner));
  return std::make_unique<SequenceNormalizer>(std::move(members));
}

bool HasLowercaseNormalizer(const JsonValue& json) {
  const std::string type = JsonString(json, "type");
  if (type == "Lowercase") return true;
  if (type != "Sequence") return false;
  const JsonValue* list = json.Find("normalizers");
  if (list == nullptr || !list->is_array()) return false;
  for (const JsonValue& member : list->array()) {
    if (JsonString(member, "type") == "Lowercase") return true;
  }
  return false;
}

Status MakeNormalizer(const JsonValue& json, std::unique_ptr<Normalizer>* out) {
  out->reset();
  if (json.is_null()) return Status::Ok();
  if (!json.is_object()) return TokenizerError("normalizer must be an object");
  const std::string type = JsonString(json, "type");
  if (type == "BertNormalizer") {
    const bool lowercase = JsonBool(json, "lowercase", true);
    const JsonValue* strip = json.Find("strip_accents");
    const bool strip_accents = strip != nullptr && strip->is_bool() ? strip->bool_value() : lowercase;
    *out = std::make_unique<BertNormalizer>(JsonBool(json, "clean_text", true),
                                            JsonBool(json, "handle_chinese_chars", true), strip_accents, lowercase);
  } else if (type == "Lowercase") {
    *out = std::make_unique<LowercaseNormalizer>();
  } else if (type == "StripAccents") {
    *out = std::make_unique<StripAccentsNormalizer>();
  } else if (type == "NFC") {
    *out = std::make_unique<UnicodeNormalizer>(unicode::Form::kNFC);
  } else if (type == "NFD") {
    *out = std::make_unique<UnicodeNormalizer>(unicode::Form::kNFD);
  } else if (type == "NFKC") {
    *out = std::make_unique<UnicodeNormalizer>(unicode::Form::kNFKC);
  } else if (type == "NFKD") {
    *out = std::make_unique<UnicodeNormalizer>(unicode::Form::kNFKD);
  } else if (type == "Strip") {
    *out = std::make_unique<StripNormalizer>(JsonBool(json, "strip_left", true), JsonBool(json, "strip_right", true));
  } else if (type == "Prepend") {
    *out = std::make_unique<PrependNormalizer>(utf8::Decode(JsonString(json, "prepend")));
  } else if (type == "Replace") {
    const JsonValue* pattern = json.Find("pattern");
    const JsonValue* literal = pattern != nullptr ? pattern->Find("String") : nullptr;
    const JsonValue* regex = pattern != nullptr ? pattern->Find("Regex") : nullptr;
    const std::u32string content = utf8::Decode(JsonString(json, "content"));
    if (literal != nullptr && literal->is_string()) {
      *out = std::make_unique<ReplaceNormalizer>(utf8::Decode(literal->string()), content);
    } else if (regex != nullptr && regex->is_string()) {
      std::unique_ptr<Regex> compiled;
      SK_RETURN_IF_ERROR(Regex::Compile(regex->string(), &compiled));
      *out = std::make_unique<RegexReplaceNormalizer>(std::move(compiled), content);
    } else {
      return TokenizerError("Replace normalizer needs a String or Regex pattern");
    }
  } else if (type == "Precompiled") {
    const JsonValue* charsmap = json.Find("precompiled_charsmap");
    if (charsmap == nullptr || charsmap->is_null()) {
      *out = nullptr;  // tokenizers treats a missing table as no normalization
      return Status::Ok();
    }
    if (!charsmap->is_string()) return TokenizerError("Precompiled normalizer needs a base64 'precompiled_charsmap'");
    PrecompiledCharsmap parsed;
    SK_RETURN_IF_ERROR(parsed.InitFromBase64(charsmap->string()));
    *out = std::make_unique<PrecompiledNormalizer>(std::move(parsed));
  } else if (type == "Sequence") {
    const JsonValue* list = json.Find("normalizers");
    if (list == nullptr || !list->is_array()) return TokenizerError("Sequence normalizer needs 'normalizers'");
    std::vector<std::unique_ptr<Normalizer>> members;
    for (const JsonValue& item : list->array()) {
      std::unique_ptr<Normalizer> member;
      SK_RETURN_IF_ERROR(MakeNormalizer(item, &member));
      if (member) members.push_back(std::move(member));
    }
    *out = std::make_unique<SequenceNormalizer>(std::move(members));
  } else {
    return TokenizerError("unsupported normalizer type '" + type + "'");
  }
  return Status::Ok();
}

}  // namespace sk::tok
