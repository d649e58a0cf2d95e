// Pre-tokenizers of tokenizer.json.
#include <algorithm>
#include <utility>

#include "core/utf8.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/components.h"
#include "tokenizer/regex.h"
#include "tokenizer/unicode.h"

namespace sk::tok {
namespace {

enum class SplitBehavior { kRemoved, kIsolated, kMergedWithPrevious, kMergedWithNext, kContiguous };

Status ParseBehavior(const std::string& name, SplitBehavior* out) {
  if (name == "Removed") *out = SplitBehavior::kRemoved;
  else if (name == "Isolated") *out = SplitBehavior::kIsolated;
  else if (name == "MergedWithPrevious") *out = SplitBehavior::kMergedWithPrevious;
  else if (name == "MergedWithNext") *out = SplitBehavior::kMergedWithNext;
  else if (name == "Contiguous") *out = SplitBehavior::kContiguous;
  else return TokenizerError("unsupported split behavior '" + name + "'");
  return Status::Ok();
}

// The two piece types every pre-tokenizer runs on: plain text (encode) and aligned text
// (the offsets path).
inline const std::u32string& TextOf(const std::u32string& piece) { return piece; }
inline const std::u32string& TextOf(const AlignedPiece& piece) { return piece.text; }
inline std::u32string Slice(const std::u32string& piece, size_t begin, size_t end) {
  return piece.substr(begin, end - begin);
}
inline AlignedPiece Slice(const AlignedPiece& piece, size_t begin, size_t end) {
  return {piece.text.substr(begin, end - begin),
          Alignments(piece.align.begin() + static_cast<std::ptrdiff_t>(begin), piece.align.begin() + static_cast<std::ptrdiff_t>(end))};
}

// One stretch of a piece: a delimiter match or the text between matches.
struct Span {
  size_t begin, end;
  bool match;
};

// Cuts `piece` by `spans` (which cover it in order) with the given behavior, as tokenizers'
// NormalizedString::split does.
template <typename Piece>
void SplitSpans(const Piece& piece, const std::vector<Span>& spans, SplitBehavior behavior, std::vector<Piece>* out) {
  // The folds of tokenizers' NormalizedString::split, one per behavior.
  std::vector<std::pair<size_t, size_t>> ranges;
  bool previous_match = false;
  switch (behavior) {
    case SplitBehavior::kRemoved:
      for (const Span& s : spans) if (!s.match) ranges.emplace_back(s.begin, s.end);
      break;
    case SplitBehavior::kIsolated:
      for (const Span& s : spans) ranges.emplace_back(s.begin, s.end);
      break;
    case SplitBehavior::kContiguous:
      for (const Span& s : spans) {
        if (s.match == previous_match && !ranges.empty()) ranges.back().second = s.end;
        else ranges.emplace_back(s.begin, s.end);
        previous_match = s.match;
      }
      break;
    case SplitBehavior::kMergedWithPrevious:
      for (const Span& s : spans) {
        if (s.match && !previous_match && !ranges.empty()) ranges.back().second = s.end;
        else ranges.emplace_back(s.begin, s.end);
        previous_match = s.match;
      }
      break;
    case SplitBehavior::kMergedWithNext:
      for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
        if (it->match && !previous_match && !ranges.empty()) ranges.back().first = it->begin;
        else ranges.emplace_back(it->begin, it->end);
        previous_match = it->match;
      }
      std::reverse(ranges.begin(), ranges.end());
      break;
  }
  for (const auto& [begin, end] : ranges) {
    if (end > begin) out->push_back(Slice(piece, begin, end));
  }
}

// Spans covering `piece` around the (non-empty) matches [begin, end), in order.
std::vector<Span> SpansAround(size_t size, const std::vector<std::pair<size_t, size_t>>& matches, bool invert) {
  std::vector<Span> spans;
  size_t start = 0;
  for (const auto& [begin, end] : matches) {
    if (begin > start) spans.push_back({start, begin, invert});
    spans.push_back({begin, end, !invert});
    start = end;
  }
  if (start < size) spans.push_back({start, size, invert});
  return spans;
}

// Splits `piece` around characters for which `is_delimiter` holds.
template <typename Piece, typename Predicate>
void SplitOn(const Piece& piece, Predicate is_delimiter, SplitBehavior behavior, std::vector<Piece>* out) {
  const std::u32string& text = TextOf(piece);
  std::vector<Span> spans;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (!is_delimiter(text[i])) continue;
    if (i > start) spans.push_back({start, i, false});
    spans.push_back({i, i + 1, true});
    start = i + 1;
  }
  if (start < text.size()) spans.push_back({start, text.size(), false});
  SplitSpans(piece, spans, behavior, out);
}

// Applies `split` to every piece, replacing the list.
template <typename Piece, typename Split>
void ForEachPiece(std::vector<Piece>* pieces, Split split) {
  std::vector<Piece> result;
  result.reserve(pieces->size() * 2);
  for (const Piece& piece : *pieces) split(piece, &result);
  *pieces = std::move(result);
}

// A pre-tokenizer written once as a template Run over both piece types.
template <typename Derived>
class PreTokenizerOf : public PreTokenizer {
 public:
  void PreTokenize(std::vector<std::u32string>* pieces, bool starts_text) const final {
    static_cast<const Derived*>(this)->Run(pieces, starts_text);
  }
  void PreTokenize(std::vector<AlignedPiece>* pieces, bool starts_text) const final {
    static_cast<const Derived*>(this)->Run(pieces, starts_text);
  }
};

class BertPreTokenizer : public PreTokenizerOf<BertPreTokenizer> {
 public:
  template <typename Piece>
  void Run(std::vector<Piece>* pieces, bool) const {
    ForEachPiece(pieces, [](const Piece& piece, std::vector<Piece>* out) {
      std::vector<Piece> words;
      SplitOn(piece, unicode::IsWhitespace, SplitBehavior::kRemoved, &words);
      for (const Piece& word : words) SplitOn(word, unicode::IsPunctuation, SplitBehavior::kIsolated, out);
    });
  }
};

class WhitespaceSplitPreTokenizer : public PreTokenizerOf<WhitespaceSplitPreTokenizer> {
 public:
  template <typename Piece>
  void Run(std::vector<Piece>* pieces, bool) const {
    ForEachPiece(pieces, [](const Piece& piece, std::vector<Piece>* out) {
      SplitOn(piece, unicode::IsWhitespace, SplitBehavior::kRemoved, out);
    });
  }
};

// The regex \w+|[^\w\s]+: runs of word characters and runs of other non-space characters.
class WhitespacePreTokenizer : public PreTokenizerOf<WhitespacePreTokenizer> {
 public:
  template <typename Piece>
  void Run(std::vector<Piece>* pieces, bool) const {
    ForEachPiece(pieces, [](const Piece& whole, std::vector<Piece>* out) {
      const std::u32string& piece = TextOf(whole);
      size_t i = 0;
      while (i < piece.size()) {
        if (unicode::IsWordSpace(piece[i]) && !unicode::IsWordChar(piece[i])) {
          ++i;
          continue;
        }
        const bool word = unicode::IsWordChar(piece[i]);
        size_t j = i + 1;
        while (j < piece.size()) {
          const bool next_word = unicode::IsWordChar(piece[j]);
          if (word ? !next_word : (next_word || unicode::IsWordSpace(piece[j]))) break;
          ++j;
        }
        out->push_back(Slice(whole, i, j));
        i = j;
      }
    });
  }
};

class PunctuationPreTokenizer : public PreTokenizerOf<PunctuationPreTokenizer> {
 public:
  explicit PunctuationPreTokenizer(SplitBehavior behavior) : behavior_(behavior) {}
  template <typename Piece>
  void Run(std::vector<Piece>* pieces, bool) const {
    ForEachPiece(pieces, [this](const Piece& piece, std::vector<Piece>* out) {
      SplitOn(piece, unicode::IsPunctuation, behavior_, out);
    });
  }

 private:
  SplitBehavior behavior_;
};

class DigitsPreTokenizer : public PreTokenizerOf<DigitsPreTokenizer> {
 public:
  explicit DigitsPreTokenizer(bool individual) : individual_(individual) {}
  template <typename Piece>
  void Run(std::vector<Piece>* pieces, bool) const {
    ForEachPiece(pieces, [this](const Piece& piece, std::vector<Piece>* out) {
      SplitOn(piece, unicode::IsNumeric, individual_ ? SplitBehavior::kIsolated : SplitBehavior::kContiguous, out);
    });
  }

 private:
  bool individual_;
};

// The prefix space, inserted as NormalizedString::prepend does: aligned with the first character.
inline void PrependChar(std::u32string* piece, char32_t c) { piece->insert(piece->begin(), c); }
inline void PrependChar(AlignedPiece* piece, char32_t c) {
  piece->text.insert(piece->text.begin(), c);
  piece->align.insert(piece->align.begin(), piece->align[0]);
}

// The byte-level characters of piece[begin, end); each one aligned with the character whose
// UTF-8 byte it stands for.
inline void AppendBytes(const std::u32string& piece, size_t begin, size_t end, std::vector<std::u32string>* out) {
  out->emplace_back();
  byte_level::AppendMapped(piece, begin, end, &out->back());
}
inline void AppendBytes(const AlignedPiece& piece, size_t begin, size_t end, std::vector<AlignedPiece>* out) {
  out->emplace_back();
  AlignedPiece& mapped = out->back();
  for (size_t i = begin; i < end; ++i) {
    byte_level::AppendMapped(piece.text, i, i + 1, &mapped.text);
    mapped.align.resize(mapped.text.size(), piece.align[i]);
  }
}

class ByteLevelPreTokenizer : public PreTokenizerOf<ByteLevelPreTokenizer> {
 public:
  ByteLevelPreTokenizer(bool add_prefix_space, bool use_regex)
      : add_prefix_space_(add_prefix_space), use_regex_(use_regex) {}
  template <typename Piece>
  void Run(std::vector<Piece>* pieces, bool) const {
    std::vector<Piece> result;
    result.reserve(pieces->size() * 4);
    std::vector<std::pair<size_t, size_t>> ranges;
    for (Piece& piece : *pieces) {
      if (add_prefix_space_ && !TextOf(piece).empty() && TextOf(piece)[0] != U' ') PrependChar(&piece, U' ');
      const std::u32string& text = TextOf(piece);
      ranges.clear();
      if (use_regex_) byte_level::SplitGpt2(text, &ranges);
      else if (!text.empty()) ranges.emplace_back(0, text.size());
      for (const auto& [begin, end] : ranges) AppendBytes(piece, begin, end, &result);
    }
    *pieces = std::move(result);
  }

 private:
  bool add_prefix_space_, use_regex_;
};

enum class PrependScheme { kAlways, kFirst, kNever };

// Metaspace replaces each space with one character, which keeps the space's alignment.
inline std::u32string& MutableText(std::u32string* piece) { return *piece; }
inline std::u32string& MutableText(AlignedPiece* piece) { return piece->text; }

class MetaspacePreTokenizer : public PreTokenizerOf<MetaspacePreTokenizer> {
 public:
  MetaspacePreTokenizer(char32_t replacement, PrependScheme scheme, bool split)
      : replacement_(replacement), scheme_(scheme), split_(split) {}
  template <typename Piece>
  void Run(std::vector<Piece>* pieces, bool starts_text) const {
    std::vector<Piece> result;
    result.reserve(pieces->size() * 4);
    for (size_t p = 0; p < pieces->size(); ++p) {
      Piece& piece = (*pieces)[p];
      std::u32string& text = MutableText(&piece);
      if (text.empty()) continue;
      for (char32_t& c : text) {
        if (c == U' ') c = replacement_;
      }
      const bool prepend = scheme_ == PrependScheme::kAlways || (scheme_ == PrependScheme::kFirst && p == 0 && starts_text);
      if (prepend && text[0] != replacement_) PrependChar(&piece, replacement_);
      if (split_) {
        const char32_t replacement = replacement_;
        SplitOn(piece, [replacement](char32_t c) { return c == replacement; }, SplitBehavior::kMergedWithNext, &result);
      } else {
        result.push_back(std::move(piece));
      }
    }
    *pieces = std::move(result);
  }

 private:
  char32_t replacement_;
  PrependScheme scheme_;
  bool split_;
};

class SplitPreTokenizer : public PreTokenizerOf<SplitPreTokenizer> {
 public:
  SplitPreTokenizer(std::unique_ptr<Regex> regex, SplitBehavior behavior, bool invert)
      : regex_(std::move(regex)), behavior_(behavior), invert_(invert) {}
  template <typename Piece>
  void Run(std::vector<Piece>* pieces, bool) const {
    std::vector<std::pair<size_t, size_t>> matches;
    ForEachPiece(pieces, [&](const Piece& piece, std::vector<Piece>* out) {
      matches.clear();
      regex_->FindAll(TextOf(piece), &matches);
      // Empty matches split nothing.
      matches.erase(std::remove_if(matches.begin(), matches.end(), [](const auto& m) { return m.first == m.second; }),
                    matches.end());
      SplitSpans(piece, SpansAround(TextOf(piece).size(), matches, invert_), behavior_, out);
    });
  }

 private:
  std::unique_ptr<Regex> regex_;
  SplitBehavior behavior_;
  bool invert_;
};

class SequencePreTokenizer : public PreTokenizerOf<SequencePreTokenizer> {
 public:
  explicit SequencePreTokenizer(std::vector<std::unique_ptr<PreTokenizer>> members) : members_(std::move(members)) {}
  template <typename Piece>
  void Run(std::vector<Piece>* pieces, bool starts_text) const {
    for (const auto& member : members_) member->PreTokenize(pieces, starts_text);
  }

 private:
  std::vector<std::unique_ptr<PreTokenizer>> members_;
};

}  // namespace

Status MakePreTokenizer(const JsonValue& json, std::unique_ptr<PreTokenizer>* out) {
  out->reset();
  if (json.is_null()) return Status::Ok();
  if (!json.is_object()) return TokenizerError("pre_tokenizer must be an object");
  const std::string type = JsonString(json, "type");
  if (type == "BertPreTokenizer") {
    *out = std::make_unique<BertPreTokenizer>();
  } else if (type == "WhitespaceSplit") {
    *out = std::make_unique<WhitespaceSplitPreTokenizer>();
  } else if (type == "Whitespace") {
    *out = std::make_unique<WhitespacePreTokenizer>();
  } else if (type == "Punctuation") {
    SplitBehavior behavior = SplitBehavior::kIsolated;
    SK_RETURN_IF_ERROR(ParseBehavior(JsonString(json, "behavior", "Isolated"), &behavior));
    *out = std::make_unique<PunctuationPreTokenizer>(behavior);
  } else if (type == "Digits") {
    *out = std::make_unique<DigitsPreTokenizer>(JsonBool(json, "individual_digits", false));
  } else if (type == "ByteLevel") {
    *out = std::make_unique<ByteLevelPreTokenizer>(JsonBool(json, "add_prefix_space", true), JsonBool(json, "use_regex", true));
  } else if (type == "Metaspace") {
    const std::u32string replacement = utf8::Decode(JsonString(json, "replacement", "\xE2\x96\x81"));
    if (replacement.size() != 1) return TokenizerError("Metaspace replacement must be one character");
    PrependScheme scheme = PrependScheme::kAlways;
    const JsonValue* prepend = json.Find("prepend_scheme");
    if (prepend != nullptr && prepend->is_string()) {
      if (prepend->string() == "always") scheme = PrependScheme::kAlways;
      else if (prepend->string() == "first") scheme = PrependScheme::kFirst;
      else if (prepend->string() == "never") scheme = PrependScheme::kNever;
      else return TokenizerError("unsupported Metaspace prepend_scheme '" + prepend->string() + "'");
    } else if (!JsonBool(json, "add_prefix_space", true)) {
      scheme = PrependScheme::kNever;  // files from before prepend_scheme
    }
    *out = std::make_unique<MetaspacePreTokenizer>(replacement[0], scheme, JsonBool(json, "split", true));
  } else if (type == "Split") {
    const JsonValue* pattern = json.Find("pattern");
    const JsonValue* literal = pattern != nullptr ? pattern->Find("String") : nullptr;
    const JsonValue* regex = pattern != nullptr ? pattern->Find("Regex") : nullptr;
    std::string source;
    if (literal != nullptr && literal->is_string()) source = EscapeRegex(literal->string());
    else if (regex != nullptr && regex->is_string()) source = regex->string();
    else return TokenizerError("Split pre_tokenizer needs a String or Regex pattern");
    std::unique_ptr<Regex> compiled;
    SK_RETURN_IF_ERROR(Regex::Compile(source, &compiled));
    SplitBehavior behavior = SplitBehavior::kIsolated;
    SK_RETURN_IF_ERROR(ParseBehavior(JsonString(json, "behavior", "Isolated"), &behavior));
    *out = std::make_unique<SplitPreTokenizer>(std::move(compiled), behavior, JsonBool(json, "invert", false));
  } else if (type == "Sequence") {
    const JsonValue* list = json.Find("pretokenizers");
    if (list == nullptr || !list->is_array()) return TokenizerError("Sequence pre_tokenizer needs 'pretokenizers'");
    std::vector<std::unique_ptr<PreTokenizer>> members;
    for (const JsonValue& item : list->array()) {
      std::unique_ptr<PreTokenizer> member;
      SK_RETURN_IF_ERROR(MakePreTokenizer(item, &member));
      if (member) members.push_back(std::move(member));
    }
    *out = std::make_unique<SequencePreTokenizer>(std::move(members));
  } else {
    return TokenizerError("unsupported pre_tokenizer type '" + type + "'");
  }
  return Status::Ok();
}

}  // namespace sk::tok
