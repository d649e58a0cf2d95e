// A bi-encoder: tokenizer → transformer (on its encoder backend) → pooling → Dense modules →
// optional L2 normalization, for a batch of texts, written into one caller-provided
// [texts, dimension] float buffer.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "pipeline/dense_layer.h"
#include "pipeline/encoder_backend.h"
#include "pipeline/pooling.h"

namespace sk::pipeline {

struct SentenceEncoderConfig {
  ModelFiles files;
  Placement placement;
  PoolingSpec pooling;
  std::vector<DenseLayer> dense;  // Dense modules after pooling, in order
  bool normalize_module = false;  // a Normalize module ends the model
};

// The post-processing of sentence-transformers' encode(), in its order: the model's modules
// (pooling, Dense, Normalize) → truncate_dim → normalize_embeddings.
struct EncodeParams {
  size_t batch_size = 32;
  size_t max_batch_tokens = 0;  // tokens per batch (padded ones on ONNX Runtime); 0: the backend's default
  double max_padding = 1.0;     // the most padding per padded token of a batch; 1: no bound
  bool normalize = false;       // normalize_embeddings
  size_t truncate_dim = 0;      // 0 keeps every dimension
  // Leading tokens (the prompt, [CLS] included) left out of pooling when the pooling config
  // says include_prompt: false; counted from each row's first real token.
  size_t prompt_tokens = 0;
  // Truncation length of this call (max_seq_length as set now); 0: the one loaded with.
  size_t max_length = 0;
  // Which end this call's long inputs lose (TEI's truncation_direction); kTokenizer: the model's.
  TokenizerSide truncation_side = TokenizerSide::kTokenizer;
};

class SentenceEncoder {
 public:
  static Status Load(const SentenceEncoderConfig& config, std::unique_ptr<SentenceEncoder>* out);

  // Width of one output row: the last module's output (pooling or Dense).
  size_t dimension() const { return dimension_; }
  // Width of encode()'s rows for the given truncate_dim.
  size_t OutputDimension(const EncodeParams& params) const;
  size_t hidden_size() const { return backend_->width(); }
  const tok::Tokenizer& tokenizer() const { return *tokenizer_.tokenizer; }
  // How batches (and tokenize()'s rows) are padded: with which id, on which side.
  int64_t pad_id() const { return tokenizer_.pad_id; }
  bool pads_left() const { return tokenizer_.pads_left; }
  tok::TruncationSide truncation_side() const { return tokenizer_.truncation_side; }
  // What the model's runs have allocated so far (see ort::IoCounters).
  ort::IoCounters IoCounters() const { return backend_->IoCounters(); }

  // Encodes `texts` into out[texts.size() * OutputDimension(params)] in the caller's order.
  // Thread-safe.
  Status Encode(const std::vector<std::string>& texts, const EncodeParams& params, float* out) const;
  // Encode() from token ids instead of texts: each row taken as final, nothing added, cut to
  // params' max_length on its truncation side (pipeline/token_id_input.h). Thread-safe.
  Status EncodeIds(const std::vector<std::vector<int64_t>>& rows, const EncodeParams& params, float* out) const;
  // Ids a row may hold: the tokenizer's vocabulary, added tokens included.
  size_t vocab_size() const { return tokenizer_.tokenizer->VocabSize(); }

  // output_value="token_embeddings": each text's unpadded transformer outputs, concatenated
  // in the caller's order into `out` ([total tokens, hidden_size()]); `token_counts[i]` is text
  // i's number of tokens. `max_length` and `side` as in EncodeParams. Thread-safe.
  Status EncodeTokens(const std::vector<std::string>& texts, size_t batch_size, size_t max_length,
                      std::vector<float>* out, std::vector<int32_t>* token_counts,
                      TokenizerSide side = TokenizerSide::kTokenizer) const;
  // EncodeTokens() from token ids: each row taken as final, as EncodeIds() takes it.
  Status EncodeTokenIds(const std::vector<std::vector<int64_t>>& rows, size_t batch_size, size_t max_length,
                        std::vector<float>* out, std::vector<int32_t>* token_counts,
                        TokenizerSide side = TokenizerSide::kTokenizer) const;

 private:
  SentenceEncoder() = default;
  // EncodeTokens()' run over a call's encodings.
  Status Tokens(const std::vector<tok::Encoding>& encodings, size_t batch_size, std::vector<float>* out,
                std::vector<int32_t>* token_counts) const;
  // The model's run, pooling and FinishRows over a call's encodings.
  Status Run(const std::vector<tok::Encoding>& encodings, const EncodeParams& params, float* out) const;
  // Dense modules, the Normalize module (unless the backend already applied it), truncate_dim
  // and normalize_embeddings on pooled rows ([rows, pooled width]), written to out at each
  // row's text index.
  void FinishRows(float* pooled, const size_t* text_rows, size_t rows, const EncodeParams& params,
                  std::vector<float>& dense_in, std::vector<float>& dense_out, float* out,
                  bool normalized_by_backend) const;

  SentenceEncoderConfig config_;
  ModelTokenizer tokenizer_;  // before backend_, which borrows it
  std::unique_ptr<EncoderBackend> backend_;
  size_t pooled_dimension_ = 0;
  size_t dimension_ = 0;
};

}  // namespace sk::pipeline
