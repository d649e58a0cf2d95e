// The Unigram model: the best-scoring segmentation of each piece (Viterbi over every vocabulary
// piece that starts at each character), unknown characters scored below every piece and fused
// into one [UNK], as tokenizers' Unigram::encode_optimized does.
#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <unordered_map>

#include "core/utf8.h"
#include "tokenizer/components.h"
#include "tokenizer/models.h"
#include "tokenizer/piece_trie.h"
#include "tokenizer/serde_json_float.h"
#include "tokenizer/word_cache.h"

namespace sk::tok {
namespace {

// tokenizers scores an unknown character this far below the lowest piece score.
constexpr double kUnknownPenalty = 10.0;

struct LatticeNode {
  int64_t id = -1;
  double score = 0;
  int64_t starts_at = -1;  // -1: not reached yet
};

class UnigramModel : public CachedModel {
 public:
  Status Init(const JsonValue& json) {
    const JsonValue* vocab = json.Find("vocab");
    if (vocab == nullptr || !vocab->is_array()) return TokenizerError("Unigram model needs a 'vocab' array");
    min_score_ = std::numeric_limits<double>::infinity();
    // Set only by sentencekit's converter of SentencePiece model files (lib/): its scores are
    // the model's float32 values, which transformers hands to tokenizers with no JSON round
    // trip, so they are written shortest-round-trip and read correctly rounded.
    const bool exact_scores = JsonBool(json, "sentencekit_exact_scores", false);
    for (const JsonValue& entry : vocab->array()) {
      if (!entry.is_array() || entry.array().size() != 2 || !entry.array()[0].is_string() ||
          !entry.array()[1].is_number()) {
        return TokenizerError("Unigram vocab entries must be [piece, score]");
      }
      const int64_t id = static_cast<int64_t>(pieces_.size());
      pieces_.push_back(entry.array()[0].string());
      const std::string& literal = entry.array()[1].number_text();
      scores_.push_back(exact_scores ? std::strtod(literal.c_str(), nullptr) : SerdeJsonF64(literal));
      min_score_ = std::min(min_score_, scores_.back());
      token_to_id_[pieces_.back()] = id;
      trie_.Insert(pieces_.back(), id);
    }
    const JsonValue* unk = json.Find("unk_id");
    if (unk != nullptr && unk->is_integer()) {
      if (unk->integer() < 0 || static_cast<size_t>(unk->integer()) >= pieces_.size()) {
        return TokenizerError("Unigram unk_id is outside the vocabulary");
      }
      unk_id_ = unk->integer();
    }
    byte_fallback_ = JsonBool(json, "byte_fallback", false);
    trie_.Freeze();
    return Status::Ok();
  }

  void TokenizeUncached(const std::u32string& piece, std::vector<int64_t>* ids,
                        std::vector<CharSpan>* char_spans) const override {
    thread_local std::string text;
    text.clear();
    for (char32_t c : piece) utf8::Append(c, &text);
    if (text.empty()) return;

    // One lattice buffer per thread, reused across calls.
    thread_local std::vector<LatticeNode> best;
    best.assign(text.size() + 1, LatticeNode());
    const double unk_score = min_score_ - kUnknownPenalty;
    size_t start = 0;
    while (start < text.size()) {
      const double score_here = best[start].score;
      const size_t char_len = utf8::SequenceLength(static_cast<unsigned char>(text[start]));
      bool has_single_char = false;
      trie_.ForEachPrefix(text, start, [&](size_t end, int64_t id) {
        LatticeNode& target = best[end];
        const double candidate = scores_[id] + score_here;
        if (target.starts_at < 0 || candidate > target.score) {
          target = {id, candidate, static_cast<int64_t>(start)};
        }
        if (end - start == char_len) has_single_char = true;
      });
      if (!has_single_char) {
        LatticeNode& target = best[start + char_len];
        const double candidate = unk_score + score_here;
        if (target.starts_at < 0 || candidate > target.score) {
          target = {unk_id_, candidate, static_cast<int64_t>(start)};
        }
      }
      start += char_len;
    }

    // Walk back from the end; consecutive unknown pieces become one string.
    struct Span {
      size_t begin, end;
      int64_t id;  // the vocabulary piece's id, or -1 for fused unknown text
    };
    thread_local std::vector<Span> spans;  // back to front
    spans.clear();
    size_t end = text.size();
    size_t unk_end = 0;
    bool in_unk = false;
    while (end > 0) {
      const LatticeNode& node = best[end];
      const size_t begin = static_cast<size_t>(node.starts_at);
      if (unk_id_ >= 0 && node.id == unk_id_) {
        if (!in_unk) unk_end = end;
        in_unk = true;
      } else {
        if (in_unk) spans.push_back({end, unk_end, -1});
        in_unk = false;
        // The trie holds each piece's last id, which is what looking its text up would give.
        spans.push_back({begin, end, node.id});
      }
      end = begin;
    }
    if (in_unk) spans.push_back({0, unk_end, -1});

    std::string token;
    uint32_t char_begin = 0;
    for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
      const size_t before = ids->size();
      if (it->id >= 0) {
        ids->push_back(it->id);
      } else {
        token.assign(text, it->begin, it->end - it->begin);
        const auto found = token_to_id_.find(token);
        if (found != token_to_id_.end()) {
          ids->push_back(found->second);
        } else if (!(byte_fallback_ && AddBytes(token, ids)) && unk_id_ >= 0) {
          ids->push_back(unk_id_);
        }
      }
      if (char_spans == nullptr) continue;
      // Every token of a piece (each byte token of a fallback too) covers the whole piece.
      uint32_t char_end = char_begin;
      for (size_t i = it->begin; i < it->end; ++i) char_end += (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
      char_spans->insert(char_spans->end(), ids->size() - before, CharSpan{char_begin, char_end});
      char_begin = char_end;
    }
  }

  std::optional<int64_t> TokenToId(std::string_view token) const override {
    const auto it = token_to_id_.find(std::string(token));
    if (it == token_to_id_.end()) return std::nullopt;
    return it->second;
  }

  std::optional<std::string> IdToToken(int64_t id) const override {
    if (id < 0 || static_cast<size_t>(id) >= pieces_.size()) return std::nullopt;
    return pieces_[id];
  }

  size_t VocabSize() const override { return pieces_.size(); }

 private:
  bool AddBytes(const std::string& token, std::vector<int64_t>* ids) const {
    std::vector<int64_t> byte_ids;
    char name[8];
    for (unsigned char b : token) {
      std::snprintf(name, sizeof(name), "<0x%02X>", b);
      const auto found = token_to_id_.find(name);
      if (found == token_to_id_.end()) return false;
      byte_ids.push_back(found->second);
    }
    ids->insert(ids->end(), byte_ids.begin(), byte_ids.end());
    return true;
  }

  std::vector<std::string> pieces_;
  std::vector<double> scores_;
  std::unordered_map<std::string, int64_t> token_to_id_;
  PieceTrie trie_;
  double min_score_ = 0;
  int64_t unk_id_ = -1;
  bool byte_fallback_ = false;
};

}  // namespace

Status MakeUnigramModel(const JsonValue& json, std::unique_ptr<Model>* out) {
  return InitModel<UnigramModel>(json, out);
}

}  // namespace sk::tok
