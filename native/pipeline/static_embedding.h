// sentence-transformers' StaticEmbedding (static-retrieval-mrl-en-v1, static-similarity-mrl-
// multilingual-v1, model2vec's potion models): a tokenizer and one embedding table. A text's
// embedding is the mean of its tokens' rows (nn.EmbeddingBag, mode "mean"), tokenized without
// special tokens and without padding; no transformer runs. Then, as in Python: the Dense modules
// and the Normalize module when the model has them, truncate_dim, normalize_embeddings.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "pipeline/dense_layer.h"
#include "pipeline/static_half.h"
#include "pipeline/static_tokenizer.h"
#include "tokenizer/tokenizer.h"

namespace sk::pipeline {

struct StaticEmbeddingFiles {
  std::string tokenizer_path;  // tokenizer.json (named in errors)
  std::string tokenizer_json;  // a converted tokenizer.json document to load instead, when not empty
  std::string weights_path;    // model.safetensors holding "embedding.weight" (sentence-transformers) or "embeddings" (model2vec)
  // The table itself when lib/ read it from another file (pytorch_model.bin): [table_rows, table_dim].
  // weights_path then only names it in errors.
  std::vector<float> table;
  size_t table_rows = 0;
  size_t table_dim = 0;
  // tokenizer.json's "truncation" section, which Python's tokenizers keeps applying (StaticEmbedding
  // only turns padding off): 0 = none.
  size_t max_length = 0;
  bool truncate_left = false;
  std::vector<DenseLayer> dense;  // Dense modules after the table, in order
  bool normalize_module = false;  // a Normalize module follows (last)
};

struct StaticEncodeParams {
  bool normalize = false;   // normalize_embeddings
  size_t truncate_dim = 0;  // 0 keeps every dimension
};

class StaticEmbeddingModel {
 public:
  static Status Load(StaticEmbeddingFiles files, std::unique_ptr<StaticEmbeddingModel>* out);

  // The embedding's width: the last Dense module's output, else the table's.
  size_t dimension() const { return dense_.empty() ? dim_ : dense_.back().out_features; }
  size_t rows() const { return rows_; }
  size_t OutputDimension(size_t truncate_dim) const {
    return truncate_dim > 0 && truncate_dim < dimension() ? truncate_dim : dimension();
  }
  const tok::Tokenizer& tokenizer() const { return *tokenizer_; }
  const tok::EncodeOptions& encode_options() const { return options_; }
  const StaticTokenizer& static_tokenizer() const { return *ids_; }

  // Encodes `texts` into out[texts.size() * OutputDimension(params.truncate_dim)], in order,
  // on the shared thread pool when there are enough texts. Thread-safe.
  Status Encode(const std::vector<std::string>& texts, const StaticEncodeParams& params, float* out) const;

 private:
  // One thread's working memory, reused across its texts.
  struct Scratch {
    tok::Encoding encoding;
    std::vector<int64_t> ids;
    std::vector<float> rows, next;  // a block of texts' rows, before and after a Dense module
  };

  StaticEmbeddingModel() = default;
  // `text`'s mean row (dim_ floats) into `row`.
  Status MeanRow(const std::string& text, Scratch* scratch, float* row) const;
  // F.normalize in place, as the table's precision computes it.
  void Normalize(float* row, size_t width) const;
  // Texts [begin, end) into their rows of `out`.
  Status EncodeRange(const std::vector<std::string>& texts, size_t begin, size_t end, const StaticEncodeParams& params,
                     float* out, Scratch* scratch) const;

  std::unique_ptr<tok::Tokenizer> tokenizer_;
  tok::EncodeOptions options_;
  std::unique_ptr<StaticTokenizer> ids_;
  std::vector<DenseLayer> dense_;
  bool normalize_module_ = false;
  size_t widest_ = 0;  // the widest row on the way: the table's or a Dense module's output
  size_t rows_ = 0;
  size_t dim_ = 0;
  std::vector<float> table_;  // [rows_, dim_], float16 / bfloat16 files widened at load
  std::optional<HalfFormat> half_;  // a float16 / bfloat16 table: PyTorch's arithmetic in it (static_half.h)
};

}  // namespace sk::pipeline
