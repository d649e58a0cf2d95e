// sentence-transformers' StaticEmbedding (static-retrieval-mrl-en-v1, static-similarity-mrl-
// multilingual-v1, model2vec's potion models): a tokenizer and one embedding table. A text's
// embedding is the mean of its tokens' rows (nn.EmbeddingBag, mode "mean"), tokenized without
// special tokens and without padding; no transformer runs. Then, as in Python: the Normalize
// module when the model has one, truncate_dim, normalize_embeddings.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "tokenizer/tokenizer.h"

namespace sk::pipeline {

struct StaticEmbeddingFiles {
  std::string tokenizer_path;  // tokenizer.json (named in errors)
  std::string tokenizer_json;  // a converted tokenizer.json document to load instead, when not empty
  std::string weights_path;    // model.safetensors holding "embedding.weight" (sentence-transformers) or "embeddings" (model2vec)
  // tokenizer.json's "truncation" section, which Python's tokenizers keeps applying (StaticEmbedding
  // only turns padding off): 0 = none.
  size_t max_length = 0;
  bool truncate_left = false;
  bool normalize_module = false;  // a Normalize module follows
};

struct StaticEncodeParams {
  bool normalize = false;   // normalize_embeddings
  size_t truncate_dim = 0;  // 0 keeps every dimension
};

class StaticEmbeddingModel {
 public:
  static Status Load(StaticEmbeddingFiles files, std::unique_ptr<StaticEmbeddingModel>* out);

  size_t dimension() const { return dim_; }
  size_t rows() const { return rows_; }
  size_t OutputDimension(size_t truncate_dim) const {
    return truncate_dim > 0 && truncate_dim < dim_ ? truncate_dim : dim_;
  }
  const tok::Tokenizer& tokenizer() const { return *tokenizer_; }
  const tok::EncodeOptions& encode_options() const { return options_; }

  // Encodes `texts` into out[texts.size() * OutputDimension(params.truncate_dim)], in order,
  // on the shared thread pool when there are enough texts. Thread-safe.
  Status Encode(const std::vector<std::string>& texts, const StaticEncodeParams& params, float* out) const;

 private:
  StaticEmbeddingModel() = default;
  // Texts [begin, end) into their rows of `out`; `row` is dim_ floats of scratch.
  Status EncodeRange(const std::vector<std::string>& texts, size_t begin, size_t end, const StaticEncodeParams& params,
                     float* out, tok::Encoding* encoding, float* row) const;

  std::unique_ptr<tok::Tokenizer> tokenizer_;
  tok::EncodeOptions options_;
  bool normalize_module_ = false;
  size_t rows_ = 0;
  size_t dim_ = 0;
  std::vector<float> table_;  // [rows_, dim_], float16 / bfloat16 files widened at load
};

}  // namespace sk::pipeline
