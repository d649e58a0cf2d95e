// The token ↔ id table every tokenizer model keeps, and the lookups the Model interface asks
// for (TokenToId / IdToToken / VocabSize), written once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/json.h"
#include "core/status.h"

namespace sk::tok {

class Vocabulary {
 public:
  // Reads tokenizer.json's {"token": id, ...} object; ids must lie in [0, max_id]. `model`
  // names the model in errors.
  Status ReadObject(const JsonValue& vocab, const std::string& model, int64_t max_id) {
    if (!vocab.is_object()) return TokenizerError(model + " model needs a 'vocab' object");
    for (const auto& [token, id] : vocab.members()) {
      if (!id.is_integer() || id.integer() < 0 || id.integer() > max_id) {
        return TokenizerError(model + " vocab id of '" + token + "' is not an integer in [0, " + std::to_string(max_id) + "]");
      }
      Add(token, id.integer());
    }
    return Status::Ok();
  }

  void Add(const std::string& token, int64_t id) {
    ids_[token] = id;
    // A table indexed by id while ids stay near the vocabulary's size. tokenizers keeps a map and
    // takes any id, so one far past the rest (a hostile file's 233,000,000) goes to a map instead
    // of a table of that many empty strings (7 GB).
    const auto index = static_cast<uint64_t>(id);
    if (index < tokens_.size() || index <= 2 * ids_.size() + kDenseSlack) {
      if (index >= tokens_.size()) tokens_.resize(static_cast<size_t>(index) + 1);
      tokens_[static_cast<size_t>(index)] = token;
      sparse_tokens_.erase(id);
    } else {
      sparse_tokens_[id] = token;
    }
  }

  const std::unordered_map<std::string, int64_t>& ids() const { return ids_; }

  std::optional<int64_t> TokenToId(std::string_view token) const {
    const auto it = ids_.find(std::string(token));
    if (it == ids_.end()) return std::nullopt;
    return it->second;
  }

  std::optional<std::string> IdToToken(int64_t id) const {
    if (id < 0) return std::nullopt;
    if (!sparse_tokens_.empty()) {
      if (const auto it = sparse_tokens_.find(id); it != sparse_tokens_.end()) return it->second;
    }
    if (static_cast<uint64_t>(id) >= tokens_.size()) return std::nullopt;
    return tokens_[static_cast<size_t>(id)];
  }

  size_t size() const { return ids_.size(); }

 private:
  static constexpr uint64_t kDenseSlack = 1 << 16;

  std::unordered_map<std::string, int64_t> ids_;
  std::vector<std::string> tokens_;                          // by id, while ids are dense
  std::unordered_map<int64_t, std::string> sparse_tokens_;  // ids far past the rest
};

}  // namespace sk::tok
