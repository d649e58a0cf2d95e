// The WordPiece model: greedy longest-match-first over the vocabulary, continuation pieces
// carrying a prefix ("##"), and a whole word mapped to [UNK] when any part is unknown.
#include <algorithm>
#include <unordered_map>

#include "core/utf8.h"
#include "tokenizer/components.h"
#include "tokenizer/models.h"
#include "tokenizer/piece_trie.h"
#include "tokenizer/vocabulary.h"
#include "tokenizer/word_cache.h"

namespace sk::tok {
namespace {

// Code points in the valid UTF-8 bytes [begin, end) of `text`: the bytes that start one.
uint32_t CodePoints(const std::string& text, size_t begin, size_t end) {
  uint32_t count = 0;
  for (size_t i = begin; i < end; ++i) count += (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
  return count;
}

class WordPieceModel : public CachedModel {
 public:
  Status Init(const JsonValue& json) {
    static const JsonValue kNull;
    const JsonValue* vocab = json.Find("vocab");
    // tokenizers reads WordPiece ids as u32 and refuses a file with a larger one.
    SK_RETURN_IF_ERROR(vocab_.ReadObject(vocab != nullptr ? *vocab : kNull, "WordPiece", 0xFFFFFFFF));
    prefix_ = JsonString(json, "continuing_subword_prefix", "##");
    max_chars_ = static_cast<size_t>(JsonInt(json, "max_input_chars_per_word", 100));
    const std::string unk = JsonString(json, "unk_token", "[UNK]");
    for (const auto& [token, id] : vocab_.ids()) {
      if (token.size() > prefix_.size() && token.compare(0, prefix_.size(), prefix_) == 0) {
        continuation_[token.substr(prefix_.size())] = id;
      }
    }
    for (const auto& [token, id] : vocab_.ids()) start_trie_.Insert(token, id);
    for (const auto& [token, id] : continuation_) continuation_trie_.Insert(token, id);
    start_trie_.Freeze();
    continuation_trie_.Freeze();
    const std::optional<int64_t> found = vocab_.TokenToId(unk);
    if (!found) return TokenizerError("WordPiece unk_token '" + unk + "' is not in the vocabulary");
    unk_id_ = *found;
    return Status::Ok();
  }

  void TokenizeUncached(const std::u32string& piece, std::vector<int64_t>* ids,
                        std::vector<CharSpan>* spans) const override {
    const uint32_t chars = static_cast<uint32_t>(piece.size());
    if (piece.size() > max_chars_) {
      ids->push_back(unk_id_);
      if (spans) spans->push_back({0, chars});
      return;
    }
    thread_local std::string word;
    word.clear();
    for (char32_t c : piece) utf8::Append(c, &word);
    // Greedy longest match: the longest vocabulary piece at each position (a trie walk, so
    // no substring is hashed), continuation pieces after the first.
    const size_t first_new = ids->size();
    const size_t first_span = spans ? spans->size() : 0;
    size_t start = 0;
    uint32_t start_char = 0;
    while (start < word.size()) {
      int64_t id = -1;
      const size_t end = (start == 0 ? start_trie_ : continuation_trie_).LongestPrefix(word, start, &id);
      if (end == 0) {
        ids->resize(first_new);
        ids->push_back(unk_id_);
        if (spans) {
          spans->resize(first_span);
          spans->push_back({0, chars});
        }
        return;
      }
      ids->push_back(id);
      if (spans) {
        const uint32_t end_char = start_char + CodePoints(word, start, end);
        spans->push_back({start_char, end_char});
        start_char = end_char;
      }
      start = end;
    }
  }

  std::optional<int64_t> TokenToId(std::string_view token) const override { return vocab_.TokenToId(token); }
  std::optional<std::string> IdToToken(int64_t id) const override { return vocab_.IdToToken(id); }
  size_t VocabSize() const override { return vocab_.size(); }

 private:
  Vocabulary vocab_;
  // Continuation pieces keyed without their prefix, so lookups need no concatenation.
  std::unordered_map<std::string, int64_t> continuation_;
  std::string prefix_;
  size_t max_chars_ = 100;
  PieceTrie start_trie_;
  PieceTrie continuation_trie_;
  int64_t unk_id_ = 0;
};

}  // namespace

Status MakeWordPieceModel(const JsonValue& json, std::unique_ptr<Model>* out) {
  return InitModel<WordPieceModel>(json, out);
}

}  // namespace sk::tok
