// The BPE model: a word starts as one symbol per character (or per byte with byte_fallback)
// and the ranked merges are applied lowest rank first, leftmost first on a tie, exactly as
// tokenizers' Word::merge_all does.
#include <algorithm>
#include <cstdio>
#include <queue>
#include <unordered_map>

#include "core/utf8.h"
#include "tokenizer/components.h"
#include "tokenizer/models.h"
#include "tokenizer/vocabulary.h"
#include "tokenizer/word_cache.h"

namespace sk::tok {
namespace {

struct MergeInfo {
  uint32_t rank;
  int64_t new_id;
};

inline uint64_t PairKey(int64_t a, int64_t b) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
}

class BpeModel : public CachedModel {
 public:
  Status Init(const JsonValue& json) {
    static const JsonValue kNull;
    const JsonValue* vocab = json.Find("vocab");
    // Ids fit 32 bits: merges are keyed by a packed pair of ids.
    SK_RETURN_IF_ERROR(vocabulary_.ReadObject(vocab != nullptr ? *vocab : kNull, "BPE", 0x7FFFFFFF));
    prefix_ = JsonString(json, "continuing_subword_prefix");
    suffix_ = JsonString(json, "end_of_word_suffix");
    fuse_unk_ = JsonBool(json, "fuse_unk", false);
    byte_fallback_ = JsonBool(json, "byte_fallback", false);
    ignore_merges_ = JsonBool(json, "ignore_merges", false);
    const JsonValue* unk = json.Find("unk_token");
    if (unk != nullptr && unk->is_string()) {
      const auto found = vocabulary_.ids().find(unk->string());
      // tokenizers fails only when it meets an unknown character; we then drop it.
      if (found != vocabulary_.ids().end()) unk_id_ = found->second;
    }

    // Plain single-character tokens, looked up by code point (the common byte-level case).
    if (prefix_.empty() && suffix_.empty()) {
      for (const auto& [token, id] : vocabulary_.ids()) {
        size_t pos = 0;
        const char32_t c = utf8::Next(token, &pos);
        if (pos == token.size() && c != utf8::kReplacement) char_ids_[c] = id;
      }
    }

    const JsonValue* merges = json.Find("merges");
    if (merges == nullptr || !merges->is_array()) return TokenizerError("BPE model needs a 'merges' array");
    uint32_t rank = 0;
    for (const JsonValue& merge : merges->array()) {
      std::string a, b;
      if (merge.is_string()) {
        const std::string& line = merge.string();
        const size_t space = line.find(' ');
        if (space == std::string::npos || line.find(' ', space + 1) != std::string::npos) {
          return TokenizerError("BPE merge '" + line + "' is not two tokens separated by a space");
        }
        a = line.substr(0, space);
        b = line.substr(space + 1);
      } else if (merge.is_array() && merge.array().size() == 2 && merge.array()[0].is_string() &&
                 merge.array()[1].is_string()) {
        a = merge.array()[0].string();
        b = merge.array()[1].string();
      } else {
        return TokenizerError("BPE merges must be strings or [left, right] pairs");
      }
      const auto left = vocabulary_.ids().find(a);
      const auto right = vocabulary_.ids().find(b);
      if (left == vocabulary_.ids().end() || right == vocabulary_.ids().end() || b.size() < prefix_.size()) {
        return TokenizerError("BPE merge '" + a + " " + b + "' uses a token that is not in the vocabulary");
      }
      const auto merged = vocabulary_.ids().find(a + b.substr(prefix_.size()));
      if (merged == vocabulary_.ids().end()) {
        return TokenizerError("BPE merge '" + a + " " + b + "' makes a token that is not in the vocabulary");
      }
      // A repeated pair keeps its last rank, as tokenizers' HashMap collect does.
      merges_[PairKey(left->second, right->second)] = {rank++, merged->second};
    }
    return Status::Ok();
  }

  void TokenizeUncached(const std::u32string& piece, std::vector<int64_t>* ids,
                        std::vector<CharSpan>* spans) const override {
    std::string word;
    std::vector<size_t> bounds;
    bounds.reserve(piece.size() + 1);
    for (char32_t c : piece) {
      bounds.push_back(word.size());
      utf8::Append(c, &word);
    }
    bounds.push_back(word.size());
    if (ignore_merges_) {
      const auto found = vocabulary_.ids().find(word);
      if (found != vocabulary_.ids().end()) {
        ids->push_back(found->second);
        if (spans) spans->push_back({0, static_cast<uint32_t>(piece.size())});
        return;
      }
    }
    std::vector<Symbol> symbols;
    symbols.reserve(piece.size());
    InitialSymbols(word, bounds, &symbols);
    MergeAll(&symbols);
    size_t byte = 0;
    for (const Symbol& symbol : symbols) {
      if (symbol.len == 0) continue;
      ids->push_back(symbol.id);
      // A byte token covers the character its byte belongs to, as tokenizers' alignments do.
      if (spans) spans->push_back({CharAt(bounds, byte), CharAt(bounds, byte + symbol.len - 1) + 1});
      byte += symbol.len;
    }
  }

  std::optional<int64_t> TokenToId(std::string_view token) const override { return vocabulary_.TokenToId(token); }
  std::optional<std::string> IdToToken(int64_t id) const override { return vocabulary_.IdToToken(id); }
  size_t VocabSize() const override { return vocabulary_.size(); }

 private:
  struct Symbol {
    int64_t id;
    int prev;
    int next;
    size_t len;  // bytes; 0 once merged into its left neighbour
  };

  // The character holding byte `byte` of the word whose characters start at `bounds`.
  static uint32_t CharAt(const std::vector<size_t>& bounds, size_t byte) {
    return static_cast<uint32_t>(std::upper_bound(bounds.begin(), bounds.end(), byte) - bounds.begin() - 1);
  }

  static void Add(std::vector<Symbol>* symbols, int64_t id, size_t len) {
    const int count = static_cast<int>(symbols->size());
    if (count > 0) symbols->back().next = count;
    symbols->push_back({id, count - 1, -1, len});
  }

  // tokenizers' BPE::merge_word before the merges: one symbol per character, byte tokens
  // for unknown characters with byte_fallback, else [UNK] (consecutive ones fused if asked).
  void InitialSymbols(const std::string& word, const std::vector<size_t>& bounds, std::vector<Symbol>* symbols) const {
    const size_t chars = bounds.size() - 1;
    int64_t pending_unk = -1;
    size_t pending_len = 0;
    std::string key;
    for (size_t i = 0; i < chars; ++i) {
      const size_t byte_len = bounds[i + 1] - bounds[i];
      if (!char_ids_.empty()) {
        size_t pos = bounds[i];
        const auto found = char_ids_.find(utf8::Next(word, &pos));
        if (found != char_ids_.end()) {
          if (pending_unk >= 0) {
            Add(symbols, pending_unk, pending_len);
            pending_unk = -1;
          }
          Add(symbols, found->second, byte_len);
          continue;
        }
      }
      key.clear();
      if (i > 0) key += prefix_;
      key.append(word, bounds[i], byte_len);
      if (i + 1 == chars) key += suffix_;
      const auto found = vocabulary_.ids().find(key);
      if (found != vocabulary_.ids().end()) {
        if (pending_unk >= 0) {
          Add(symbols, pending_unk, pending_len);
          pending_unk = -1;
        }
        Add(symbols, found->second, byte_len);
        continue;
      }
      if (byte_fallback_ && AddBytes(key, symbols)) continue;
      if (unk_id_ < 0) continue;
      if (pending_unk >= 0 && fuse_unk_) {
        pending_len += byte_len;
      } else {
        if (pending_unk >= 0) Add(symbols, pending_unk, pending_len);
        pending_unk = unk_id_;
        pending_len = byte_len;
      }
    }
    if (pending_unk >= 0) Add(symbols, pending_unk, pending_len);
  }

  // <0xNN> tokens for every byte of `key`, only when the vocabulary has all of them.
  bool AddBytes(const std::string& key, std::vector<Symbol>* symbols) const {
    std::vector<int64_t> byte_ids;
    char name[8];
    for (unsigned char b : key) {
      std::snprintf(name, sizeof(name), "<0x%02X>", b);
      const auto found = vocabulary_.ids().find(name);
      if (found == vocabulary_.ids().end()) return false;
      byte_ids.push_back(found->second);
    }
    for (int64_t id : byte_ids) Add(symbols, id, 1);
    return true;
  }

  void MergeAll(std::vector<Symbol>* symbols) const {
    struct Candidate {
      uint32_t rank;
      int pos;
      int64_t new_id;
      bool operator<(const Candidate& other) const {  // the queue's top is the lowest (rank, pos)
        return rank != other.rank ? rank > other.rank : pos > other.pos;
      }
    };
    std::priority_queue<Candidate> queue;
    auto& s = *symbols;
    for (size_t i = 0; i + 1 < s.size(); ++i) {
      const auto found = merges_.find(PairKey(s[i].id, s[i + 1].id));
      if (found != merges_.end()) queue.push({found->second.rank, static_cast<int>(i), found->second.new_id});
    }
    while (!queue.empty()) {
      const Candidate top = queue.top();
      queue.pop();
      Symbol& current = s[top.pos];
      if (current.len == 0 || current.next < 0) continue;
      const Symbol right = s[current.next];
      const auto found = merges_.find(PairKey(current.id, right.id));
      if (found == merges_.end() || found->second.new_id != top.new_id) continue;  // stale entry
      current.id = top.new_id;
      current.len += right.len;
      s[current.next].len = 0;
      current.next = right.next;
      if (right.next >= 0 && static_cast<size_t>(right.next) < s.size()) s[right.next].prev = top.pos;
      if (current.prev >= 0) {
        const auto with_prev = merges_.find(PairKey(s[current.prev].id, current.id));
        if (with_prev != merges_.end()) queue.push({with_prev->second.rank, current.prev, with_prev->second.new_id});
      }
      if (current.next >= 0) {
        const auto with_next = merges_.find(PairKey(current.id, s[current.next].id));
        if (with_next != merges_.end()) queue.push({with_next->second.rank, top.pos, with_next->second.new_id});
      }
    }
  }

  Vocabulary vocabulary_;
  std::unordered_map<uint64_t, MergeInfo> merges_;
  std::unordered_map<char32_t, int64_t> char_ids_;
  std::string prefix_, suffix_;
  int64_t unk_id_ = -1;
  bool fuse_unk_ = false;
  bool byte_fallback_ = false;
  bool ignore_merges_ = false;
};

}  // namespace

Status MakeBpeModel(const JsonValue& json, std::unique_ptr<Model>* out) {
  return InitModel<BpeModel>(json, out);
}

}  // namespace sk::tok
