// A memo of a model's ids for recently seen words, as tokenizers keeps for BPE and Unigram.
// Each thread has its own table, so Encode stays lock-free and thread-safe; a table belongs
// to one model (by serial number, never by address, which a later model could reuse).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tokenizer/components.h"

namespace sk::tok {

class WordCache {
 public:
  WordCache();

  // Appends the cached ids of `word` to `ids` and returns true, or returns false.
  bool Lookup(const std::u32string& word, std::vector<int64_t>* ids) const;
  // Remembers ids[first, end) for `word`.
  void Store(const std::u32string& word, const std::vector<int64_t>& ids, size_t first) const;

 private:
  uint64_t serial_;
};

// A Model whose words go through a WordCache: subclasses tokenize one uncached word.
class CachedModel : public Model {
 public:
  void Tokenize(const std::u32string& piece, std::vector<int64_t>* ids) const final {
    if (cache_.Lookup(piece, ids)) return;
    const size_t first = ids->size();
    TokenizeUncached(piece, ids);
    cache_.Store(piece, *ids, first);
  }
  void TokenizeWithSpans(const std::u32string& piece, std::vector<int64_t>* ids,
                         std::vector<CharSpan>* spans) const final {
    TokenizeUncached(piece, ids, spans);
  }

 protected:
  // `spans`, when not null, gets each token's characters of `piece`.
  virtual void TokenizeUncached(const std::u32string& piece, std::vector<int64_t>* ids,
                                std::vector<CharSpan>* spans = nullptr) const = 0;

 private:
  WordCache cache_;
};

}  // namespace sk::tok
