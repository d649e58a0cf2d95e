// Pre-tokenizers of tokenizer.json.
#include <algorithm>
#include <utility>

#include "tokenizer/components.h"
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

// Splits `piece` around characters for which `is_delimiter` holds, as tokenizers'
// NormalizedString::split does for a char predicate with the given behavior.
template <typename Predicate>
void SplitOn(const std::u32string& piece, Predicate is_delimiter, SplitBehavior behavior,
             std::vector<std::u32string>* out) {
  // Spans of (begin, end, is_match) covering the piece.
  struct Span { size_t begin, end; bool match; };
  std::vector<Span> spans;
  size_t start = 0;
  for (size_t i = 0; i < piece.size(); ++i) {
    if (!is_delimiter(piece[i])) continue;
    if (i > start) spans.push_back({start, i, false});
    spans.push_back({i, i + 1, true});
    start = i + 1;
  }
  if (start < piece.size()) spans.push_back({start, piece.size(), false});

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
    if (end > begin) out->push_back(piece.substr(begin, end - begin));
  }
}

// Applies `split` to every piece, replacing the list.
template <typename Split>
void ForEachPiece(std::vector<std::u32string>* pieces, Split split) {
  std::vector<std::u32string> result;
  result.reserve(pieces->size() * 2);
  for (const std::u32string& piece : *pieces) split(piece, &result);
  *pieces = std::move(result);
}

class BertPreTokenizer : public PreTokenizer {
 public:
  void PreTokenize(std::vector<std::u32string>* pieces) const override {
    ForEachPiece(pieces, [](const std::u32string& piece, std::vector<std::u32string>* out) {
      std::vector<std::u32string> words;
      SplitOn(piece, unicode::IsWhitespace, SplitBehavior::kRemoved, &words);
      for (const std::u32string& word : words) SplitOn(word, unicode::IsBertPunctuation, SplitBehavior::kIsolated, out);
    });
  }
};

class WhitespaceSplitPreTokenizer : public PreTokenizer {
 public:
  void PreTokenize(std::vector<std::u32string>* pieces) const override {
    ForEachPiece(pieces, [](const std::u32string& piece, std::vector<std::u32string>* out) {
      SplitOn(piece, unicode::IsWhitespace, SplitBehavior::kRemoved, out);
    });
  }
};

// The regex \w+|[^\w\s]+: runs of word characters and runs of other non-space characters.
class WhitespacePreTokenizer : public PreTokenizer {
 public:
  void PreTokenize(std::vector<std::u32string>* pieces) const override {
    ForEachPiece(pieces, [](const std::u32string& piece, std::vector<std::u32string>* out) {
      size_t i = 0;
      while (i < piece.size()) {
        if (unicode::IsWhitespace(piece[i]) && !unicode::IsWordChar(piece[i])) {
          ++i;
          continue;
        }
        const bool word = unicode::IsWordChar(piece[i]);
        size_t j = i + 1;
        while (j < piece.size()) {
          const bool next_word = unicode::IsWordChar(piece[j]);
          if (word ? !next_word : (next_word || unicode::IsWhitespace(piece[j]))) break;
          ++j;
        }
        out->push_back(piece.substr(i, j - i));
        i = j;
      }
    });
  }
};

class PunctuationPreTokenizer : public PreTokenizer {
 public:
  explicit PunctuationPreTokenizer(SplitBehavior behavior) : behavior_(behavior) {}
  void PreTokenize(std::vector<std::u32string>* pieces) const override {
    ForEachPiece(pieces, [this](const std::u32string& piece, std::vector<std::u32string>* out) {
      SplitOn(piece, unicode::IsBertPunctuation, behavior_, out);
    });
  }

 private:
  SplitBehavior behavior_;
};

class DigitsPreTokenizer : public PreTokenizer {
 public:
  explicit DigitsPreTokenizer(bool individual) : individual_(individual) {}
  void PreTokenize(std::vector<std::u32string>* pieces) const override {
    ForEachPiece(pieces, [this](const std::u32string& piece, std::vector<std::u32string>* out) {
      SplitOn(piece, unicode::IsNumeric, individual_ ? SplitBehavior::kIsolated : SplitBehavior::kContiguous, out);
    });
  }

 private:
  bool individual_;
};

class SequencePreTokenizer : public PreTokenizer {
 public:
  explicit SequencePreTokenizer(std::vector<std::unique_ptr<PreTokenizer>> members) : members_(std::move(members)) {}
  void PreTokenize(std::vector<std::u32string>* pieces) const override {
    for (const auto& member : members_) member->PreTokenize(pieces);
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
