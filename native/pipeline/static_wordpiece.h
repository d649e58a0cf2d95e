// BERT's tokenizer on printable-ASCII words without the tokenizer pipeline, for StaticTokenizer:
// when tokenizer.json is BertNormalizer (or none) + BertPreTokenizer + WordPiece, a chunk of
// bytes 0x21-0x7E (no space, no control character, nothing a normalizer changes but case) is
// lowercased when the normalizer lowercases, cut into runs of letters and digits and single
// punctuation characters, and each run matched greedily, longest piece first, against the
// vocabulary, as tokenizers' WordPiece does: no UTF-32 conversion, no allocation, one hash
// lookup per candidate piece. A chunk where an added token could match goes to the tokenizer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"

namespace sk::pipeline {

// 64-bit hash of a short byte string; never 0 (the empty-slot mark of the tables that use it).
uint64_t HashBytes(std::string_view bytes);

class AsciiWordPiece {
 public:
  // The fast path for `document` (a tokenizer.json that loaded), or null when its components
  // are not the ones above.
  static std::unique_ptr<AsciiWordPiece> FromTokenizerJson(const JsonValue& document);

  // Appends `chunk`'s ids and returns true, or returns false (appending nothing) when the chunk
  // needs the full tokenizer: a byte outside 0x21-0x7E, one that starts an added token, or a
  // chunk longer than this path takes.
  bool Tokenize(std::string_view chunk, std::vector<int64_t>* ids) const;

 private:
  // Vocabulary pieces by their bytes: open addressing, keys in one arena.
  class PieceMap {
   public:
    void Insert(std::string_view key, int64_t id);
    const int64_t* Find(std::string_view key) const;
    size_t longest() const { return longest_; }

   private:
    struct Slot {
      uint64_t hash = 0;  // 0: empty
      uint32_t begin = 0;
      uint32_t size = 0;
      int64_t id = 0;
    };
    void Grow();

    std::vector<Slot> slots_;
    std::string keys_;
    size_t used_ = 0;
    size_t longest_ = 0;
  };

  void AppendWord(const char* word, size_t length, std::vector<int64_t>* ids) const;

  PieceMap starts_;         // every vocabulary piece, for a word's first piece
  PieceMap continuations_;  // pieces after the first, keyed without their prefix ("##")
  int64_t unk_id_ = 0;
  size_t max_chars_ = 100;
  bool lowercase_ = true;
  bool added_first_[256] = {};  // bytes an added token starts with, both cases
};

}  // namespace sk::pipeline
