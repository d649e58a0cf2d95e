// A memo of a model's ids for recently seen words, as tokenizers keeps for BPE and Unigram.
// Each thread has its own table, so Encode stays lock-free and thread-safe; a table belongs
// to one model (by serial number, never by address, which a later model could reuse).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

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

}  // namespace sk::tok
