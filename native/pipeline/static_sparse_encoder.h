// The inference-free side of a sparse encoder (sentence-transformers' SparseStaticEmbedding,
// the "query" route of opensearch-style SPLADE models): tokenize without special tokens, then
// weight every distinct token by its static (idf) weight. No transformer runs. A token counts
// once however often it occurs, and tokens whose weight is 0 drop out, as in Python.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "pipeline/sparse_encoder.h"
#include "tokenizer/tokenizer.h"

namespace sk::pipeline {

struct StaticSparseFiles {
  std::string tokenizer_path;  // tokenizer.json of the route's module folder (named in errors)
  std::string tokenizer_json;  // a converted tokenizer.json document to load instead, when not empty
  size_t max_length = 0;       // tokens kept per text (no special tokens are added); 0 = all
  std::vector<float> weights;  // one weight per vocabulary id
};

class StaticSparseEncoderModel {
 public:
  static Status Load(StaticSparseFiles files, std::unique_ptr<StaticSparseEncoderModel>* out);

  size_t vocab_size() const { return weights_.size(); }
  const tok::Tokenizer& tokenizer() const { return *tokenizer_; }

  // `max_active_dims` > 0 keeps that many weights of largest magnitude per row, as
  // sentence-transformers' select_max_active_dims. Thread-safe (no shared mutable state).
  Status Encode(const std::vector<std::string>& texts, size_t max_active_dims, SparseRows* out) const;
  // Encode() from token ids: each row as the tokenizer's ids, cut to its first max_length ids as
  // a text's are, the pad id dropped as Encode() drops it.
  Status EncodeIds(const std::vector<std::vector<int64_t>>& ids, size_t max_active_dims, SparseRows* out) const;

 private:
  StaticSparseEncoderModel() = default;

  std::unique_ptr<tok::Tokenizer> tokenizer_;
  size_t max_length_ = 0;
  std::vector<float> weights_;
};

// One sparse row from a text's token ids: each distinct id with a non-zero weight, ascending,
// limited to the `max_active_dims` largest |weight| when > 0. Exposed for tests.
Status AppendStaticSparseRow(const std::vector<int64_t>& ids, const std::vector<float>& weights,
                             size_t max_active_dims, SparseRows* out);

}  // namespace sk::pipeline
