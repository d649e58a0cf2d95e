// A StaticEmbedding model's tokenizer front: a text's ids and nothing else (no special tokens,
// no padding, no offsets, no type ids), which is all nn.EmbeddingBag reads.
//
// When the tokenizer.json cuts text at spaces before anything looks across them (BERT's
// normalizer and pre-tokenizer, Whitespace, WhitespaceSplit; added tokens without whitespace),
// a text's ids are the concatenation of its space-separated chunks' ids, and the ids of a chunk
// never change: each thread keeps recently seen chunks' ids, so a query whose words were seen
// before costs a hash lookup per word instead of a pass through the tokenizer pipeline; BERT's
// WordPiece tokenizers take printable-ASCII chunks through AsciiWordPiece (static_wordpiece.h)
// and cache only the others. Other tokenizers (byte-level BPE, Metaspace, sentencepiece's
// precompiled normalizer: spaces belong to their tokens) take the whole text through the
// tokenizer.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "pipeline/static_wordpiece.h"
#include "tokenizer/tokenizer.h"

namespace sk::pipeline {

// Whether `document` (a tokenizer.json) tokenizes a text as the concatenation of its chunks
// between ASCII spaces. Only components known to be local to a chunk qualify.
bool TokenizesSpaceChunksApart(const JsonValue& document);

class StaticTokenizer {
 public:
  // `tokenizer` (loaded from `document`) outlives this. `options` holds the truncation (special
  // tokens are never added).
  StaticTokenizer(const tok::Tokenizer* tokenizer, const tok::EncodeOptions& options, const JsonValue& document);

  bool chunked() const { return chunked_; }
  bool ascii_words() const { return ascii_ != nullptr; }

  // Replaces `ids` with the text's ids, as tokenizer->Encode(text, options) gives them.
  // `scratch` is the caller's, reused between calls. Thread-safe.
  Status Ids(std::string_view text, tok::Encoding* scratch, std::vector<int64_t>* ids) const;

 private:
  Status ChunkIds(std::string_view chunk, tok::Encoding* scratch, std::vector<int64_t>* ids) const;

  const tok::Tokenizer* tokenizer_;
  tok::EncodeOptions options_;
  tok::EncodeOptions chunk_options_;  // no truncation: that applies to the whole text
  bool chunked_;
  std::unique_ptr<AsciiWordPiece> ascii_;  // null unless chunked_ and BERT's WordPiece
  uint64_t serial_;  // names this tokenizer's table in each thread's chunk cache
};

}  // namespace sk::pipeline
