// A bi-encoder: tokenizer → ONNX transformer → pooling → optional L2 normalization, for
// a batch of texts, written into one caller-provided [texts, dimension] float buffer.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "cpu_engine/cpu_encoder.h"
#include "pipeline/cuda_placement.h"
#include "pipeline/dense_layer.h"
#include "pipeline/cpu_engine_placement.h"
#include "pipeline/model_session.h"
#include "pipeline/pooling.h"
#include "runtime/cuda_backend.h"

namespace sk::pipeline {

struct SentenceEncoderConfig {
  ModelFiles files;
  CudaPlacement cuda;
  CpuEnginePlacement cpu_engine;
  PoolingSpec pooling;
  std::vector<DenseLayer> dense;  // Dense modules after pooling, in order
  bool normalize_module = false;  // a Normalize module ends the model
};

// The post-processing of sentence-transformers' encode(), in its order: the model's modules
// (pooling, Dense, Normalize) → truncate_dim → normalize_embeddings.
struct EncodeParams {
  size_t batch_size = 32;
  size_t max_batch_tokens = 0;  // padded tokens per batch; 0: the device's default (kCpuBatchTokens on the CPU)
  double max_padding = 1.0;     // the most padding per padded token of a batch; 1: no bound
  bool normalize = false;       // normalize_embeddings
  size_t truncate_dim = 0;      // 0 keeps every dimension
  // Leading tokens (the prompt, [CLS] included) left out of pooling when the pooling config
  // says include_prompt: false; counted from each row's first real token.
  size_t prompt_tokens = 0;
  // Truncation length of this call (max_seq_length as set now); 0: the one loaded with.
  size_t max_length = 0;
};

class SentenceEncoder {
 public:
  static Status Load(const SentenceEncoderConfig& config, std::unique_ptr<SentenceEncoder>* out);

  // Width of one output row: the last module's output (pooling or Dense).
  size_t dimension() const { return dimension_; }
  // Width of encode()'s rows for the given truncate_dim.
  size_t OutputDimension(const EncodeParams& params) const;
  size_t hidden_size() const { return hidden_size_; }
  const tok::Tokenizer& tokenizer() const { return *model_.tokenizer; }
  // How batches (and tokenize()'s rows) are padded: with which id, on which side.
  int64_t pad_id() const { return model_.pad_id; }
  bool pads_left() const { return model_.pads_left; }
  tok::TruncationSide truncation_side() const { return model_.truncation_side; }
  // What the model's runs have allocated so far (see ort::IoCounters).
  ort::IoCounters IoCounters() const { return model_.Counters(); }

  // Encodes `texts` into out[texts.size() * OutputDimension(params)] in the caller's order.
  // Thread-safe.
  Status Encode(const std::vector<std::string>& texts, const EncodeParams& params, float* out) const;

  // output_value="token_embeddings": each text's unpadded transformer outputs, concatenated
  // in the caller's order into `out` ([total tokens, hidden_size()]); `token_counts[i]` is text
  // i's number of tokens. `max_length` as in EncodeParams. Thread-safe.
  Status EncodeTokens(const std::vector<std::string>& texts, size_t batch_size, size_t max_length,
                      std::vector<float>* out, std::vector<int32_t>* token_counts) const;

 private:
  SentenceEncoder() = default;
  // Tokenizes with truncation at `max_length` (0: the loaded length), checking the inputs
  // against the position table of sentencekit's own engines.
  Status Tokenize(const std::vector<std::string>& texts, size_t max_length, std::vector<tok::Encoding>* encodings) const;
  // The CUDA path (sentence_encoder_cuda.cc).
  Status LoadCuda();
  Status EncodeOnCuda(const std::vector<tok::Encoding>& encodings, const EncodeParams& params, float* out) const;
  Status EncodeTokensOnCuda(const std::vector<tok::Encoding>& encodings, size_t batch_size, std::vector<float>* out) const;
  // The CPU engine path (sentence_encoder_cpu_engine.cc).
  Status LoadCpuEngine();
  Status EncodeOnCpuEngine(const std::vector<tok::Encoding>& encodings, const EncodeParams& params, float* out) const;
  Status EncodeTokensOnCpuEngine(const std::vector<tok::Encoding>& encodings, std::vector<float>* out) const;
  // Dense modules, the Normalize module (unless the device already applied it), truncate_dim
  // and normalize_embeddings on pooled rows ([rows, pooled width]), written to out at each
  // row's text index.
  void FinishRows(std::vector<float>& pooled, const size_t* text_rows, size_t rows, const EncodeParams& params,
                  std::vector<float>& dense_in, std::vector<float>& dense_out, float* out,
                  bool normalized_on_device = false) const;

  SentenceEncoderConfig config_;
  ModelSession model_;
  std::unique_ptr<runtime::CudaEncoder> cuda_;  // set when config_.cuda.enabled
  std::unique_ptr<cpu::CpuEncoder> engine_;       // set when config_.cpu_engine.enabled
  size_t hidden_size_ = 0;
  size_t pooled_dimension_ = 0;
  size_t dimension_ = 0;
  // Per-batch scratch for pooling and Dense modules, used under the model's run lock (batches
  // are consumed under it), so it is reused across calls too.
  mutable std::vector<float> pooled_, dense_in_, dense_out_;
  mutable std::vector<int64_t> prompt_lengths_;
};

}  // namespace sk::pipeline
