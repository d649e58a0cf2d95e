// The WordPiece model: greedy longest-match-first over the vocabulary, continuation pieces
// carrying a prefix ("##"), and a whole word mapped to [UNK] when any part is unknown.
#include <unordered_map>

#include "core/utf8.h"
#include "tokenizer/components.h"

namespace sk::tok {
namespace {

class WordPieceModel : public Model {
 public:
  Status Init(const JsonValue& json) {
    const JsonValue* vocab = json.Find("vocab");
    if (vocab == nullptr || !vocab->is_object()) return TokenizerError("WordPiece model needs a 'vocab' object");
    prefix_ = JsonString(json, "continuing_subword_prefix", "##");
    max_chars_ = static_cast<size_t>(JsonInt(json, "max_input_chars_per_word", 100));
    const std::string unk = JsonString(json, "unk_token", "[UNK]");
    for (const auto& [token, id] : vocab->members()) {
      if (!id.is_integer() || id.integer() < 0) return TokenizerError("WordPiece vocab id of '" + token + "' is not a non-negative integer");
      word_start_[token] = id.integer();
      if (token.size() > prefix_.size() && token.compare(0, prefix_.size(), prefix_) == 0) {
        continuation_[token.substr(prefix_.size())] = id.integer();
      }
      if (static_cast<size_t>(id.integer()) >= id_to_token_.size()) id_to_token_.resize(id.integer() + 1);
      id_to_token_[id.integer()] = token;
    }
    const auto found = word_start_.find(unk);
    if (found == word_start_.end()) return TokenizerError("WordPiece unk_token '" + unk + "' is not in the vocabulary");
    unk_id_ = found->second;
    return Status::Ok();
  }

  void Tokenize(const std::u32string& piece, std::vector<int64_t>* ids) const override {
    if (piece.size() > max_chars_) {
      ids->push_back(unk_id_);
      return;
    }
    // Byte offset of every character boundary of the UTF-8 form.
    std::string word;
    std::vector<size_t> bounds;
    bounds.reserve(piece.size() + 1);
    for (char32_t c : piece) {
      bounds.push_back(word.size());
      utf8::Append(c, &word);
    }
    bounds.push_back(word.size());

    const size_t first_new = ids->size();
    std::string key;
    size_t start = 0;
    const size_t chars = piece.size();
    while (start < chars) {
      size_t end = chars;
      int64_t found = -1;
      const auto& table = start == 0 ? word_start_ : continuation_;
      while (end > start) {
        key.assign(word, bounds[start], bounds[end] - bounds[start]);
        const auto it = table.find(key);
        if (it != table.end()) {
          found = it->second;
          break;
        }
        --end;
      }
      if (found < 0) {
        ids->resize(first_new);
        ids->push_back(unk_id_);
        return;
      }
      ids->push_back(found);
      start = end;
    }
  }

  std::optional<int64_t> TokenToId(std::string_view token) const override {
    const auto it = word_start_.find(std::string(token));
    if (it == word_start_.end()) return std::nullopt;
    return it->second;
  }

  std::optional<std::string> IdToToken(int64_t id) const override {
    if (id < 0 || static_cast<size_t>(id) >= id_to_token_.size()) return std::nullopt;
    return id_to_token_[id];
  }

  size_t VocabSize() const override { return word_start_.size(); }

 private:
  std::unordered_map<std::string, int64_t> word_start_;
  // Continuation pieces keyed without their prefix, so lookups need no concatenation.
  std::unordered_map<std::string, int64_t> continuation_;
  std::vector<std::string> id_to_token_;
  std::string prefix_;
  size_t max_chars_ = 100;
  int64_t unk_id_ = 0;
};

}  // namespace

Status MakeModel(const JsonValue& json, std::unique_ptr<Model>* out) {
  if (!json.is_object()) return TokenizerError("tokenizer.json needs a 'model' object");
  const std::string type = JsonString(json, "type", "");
  if (type == "WordPiece") {
    auto model = std::make_unique<WordPieceModel>();
    SK_RETURN_IF_ERROR(model->Init(json));
    *out = std::move(model);
    return Status::Ok();
  }
  return TokenizerError("unsupported model type '" + (type.empty() ? std::string("(none)") : type) + "'");
}

}  // namespace sk::tok
