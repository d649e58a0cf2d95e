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

// Rewrites each character through `map` (which appends its replacement); every character
// written shares the alignment of the one it came from, as tokenizers' (c, 0), (c, 1)...
// changes give it.
template <typename Map>
void MapChars(AlignedPiece* piece, Map map) {
  AlignedPiece result;
  result.text.reserve(piece->text.size());
  result.align.reserve(piece->text.size());
  for (size_t i = 0; i < piece->text.size(); ++i) {
    map(piece->text[i], &result.text);
    result.align.resize(result.text.size(), piece->align[i]);
  }
  *piece = std::move(result);
}

void NormalizeForm(AlignedPiece* piece, unicode::Form form) {
  thread_local std::vector<Change> changes;
  unicode::NormalizeChanges(piece->text, form, &changes);
  Transform(piece, changes);
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

  void NormalizeAligned(AlignedPiece* piece) const override {
    if (clean_text_) {
      DropChars(piece, unicode::IsCleanTextRemoved);
      for (char32_t& c : piece->text) if (unicode::IsWhitespace(c)) c = U' ';
    }
    if (handle_chinese_chars_) {
      MapChars(piece, [](char32_t c, std::u32string* out) {
        if (unicode::IsChineseChar(c)) out->append({U' ', c, U' '});
        else out->push_back(c);
      });
    }
    if (strip_accents_) {
      NormalizeForm(piece, unicode::Form::kNFD);
      DropChars(piece, unicode::IsMarkNonspacing);
    }
    if (lowercase_) MapChars(piece, unicode::AppendLowercase);
  }

 private:
  bool clean_text_, handle_chinese_chars_, strip_accents_, lowercase_;
};

class LowercaseNormalizer : public Normalizer {
 public:
  void Normalize(std::u32string* text) const override { Lowercase(text); }
  void NormalizeAligned(AlignedPiece* piece) const override { MapChars(piece, unicode::AppendLowercase); }
};

class StripAccentsNormalizer : public Normalizer {
 public:
  void Normalize(std::u32string* text) const override { StripCombiningMarks(text); }
  void NormalizeAligned(AlignedPiece* piece) const override { DropChars(piece, unicode::IsCombiningMark); }
};

class UnicodeNormalizer : public Normalizer {
 public:
  explicit UnicodeNormalizer(unicode::Form form) : form_(form) {}
  void Normalize(std::u32string* text) const override { *text = unicode::Normalize(*text, form_); }
  void NormalizeAligned(AlignedPiece* piece) const override { NormalizeForm(piece, form_); }

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
  void NormalizeAligned(AlignedPiece* piece) const override {
    size_t begin = 0;
    size_t end = piece->text.size();
    if (left_) while (begin < end && unicode::IsWhitespace(piece->text[begin])) ++begin;
    if (right_) while (end > begin && unicode::IsWhitespace(piece->text[end - 1])) --end;
    piece->text = piece->text.substr(begin, end - begin);
    piece->align = Alignments(piece->align.begin() + begin, piece->align.begin() + end);
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
  // NormalizedString::prepend replaces the first character with the prefix and itself, so
  // all of them share its alignment.
  void NormalizeAligned(AlignedPiece* piece) const override {
    if (piece->text.empty()) return;
    piece->text.insert(0, prefix_);
    piece->align.insert(piece->align.begin(), prefix_.size(), piece->align[0]);
  }

 private:
  std::u32string prefix_;
};

// NormalizedString::replace: each match [begin, end) removed and `content` inserted in its
// place, every inserted character aligned with the match's last character (the one before an
// empty match).
void ReplaceMatches(AlignedPiece* piece, const std::vector<std::pair<size_t, size_t>>& matches,
                    const std::u32string& content) {
  if (matches.empty()) return;
  AlignedPiece result;
  size_t pos = 0;
  for (const auto& [begin, end] : matches) {
    result.text.append(piece->text, pos, begin - pos);
    result.align.insert(result.align.end(), piece->align.begin() + pos, piece->align.begin() + begin);
    CharSpan span;
    if (end > 0) span = piece->align[end - 1];
    else if (!piece->align.empty()) span = {piece->align[0].begin, piece->align[0].begin};
    result.text.append(content);
    result.align.insert(result.align.end(), content.size(), span);
    pos = end;
  }
  result.text.append(piece->text, pos, std::u32string::npos);
  result.align.insert(result.align.end(), piece->align.begin() + pos, piece->align.end());
  *piece = std::move(result);
}

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
  void NormalizeAligned(AlignedPiece* piece) const override {
    if (pattern_.empty()) return;
    std::vector<std::pair<size_t, size_t>> matches;
    for (size_t found = piece->text.find(pattern_); found != std::u32string::npos;
         found = piece->text.find(pattern_, found + pattern_.size())) {
      matches.emplace_back(found, found + pattern_.size());
    }
    ReplaceMatches(piece, matches, content_);
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
  void NormalizeAligned(AlignedPiece* piece) const override {
    std::vector<std::pair<size_t, size_t>> matches;
    regex_->FindAll(piece->text, &matches);
    ReplaceMatches(piece, matches, content_);
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
  void NormalizeAligned(AlignedPiece* piece) const override {
    thread_local std::vector<Change> changes;
    charsmap_.NormalizeChanges(piece->text, &changes);
    Transform(piece, changes);
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
  void NormalizeAligned(AlignedPiece* piece) const override {
    for (const auto& member : members_) member->NormalizeAligned(piece);
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
