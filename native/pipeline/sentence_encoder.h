// A bi-encoder: tokenizer → ONNX transformer → pooling → optional L2 normalization, for
// a batch of texts, written into one caller-provided [texts, dimension] float buffer.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"
#include "pipeline/pooling.h"
#include "runtime/ort_session.h"
#include "tokenizer/tokenizer.h"

namespace sk::pipeline {

struct SentenceEncoderConfig {
  std::string model_path;       // the .onnx file
  std::string tokenizer_path;   // tokenizer.json
  size_t max_seq_length = 512;  // truncation length in tokens, special tokens included
  PoolingSpec pooling;
  ort::SessionOptions session;
};

struct EncodeParams {
  size_t batch_size = 32;
  bool normalize = false;
};

class SentenceEncoder {
 public:
  static Status Load(const SentenceEncoderConfig& config, std::unique_ptr<SentenceEncoder>* out);

  // Width of one output row: hidden size × number of pooling modes.
  size_t dimension() const { return dimension_; }
  size_t hidden_size() const { return hidden_size_; }
  const tok::Tokenizer& tokenizer() const { return *tokenizer_; }

  // Encodes `texts` into out[texts.size() * dimension()] in the caller's order. Texts are
  // sorted by token length so each batch pads only to its own longest member. Thread-safe.
  Status Encode(const std::vector<std::string>& texts, const EncodeParams& params, float* out) const;

 private:
  SentenceEncoder() = default;
  Status ProbeHiddenSize();

  SentenceEncoderConfig config_;
  std::unique_ptr<tok::Tokenizer> tokenizer_;
  std::unique_ptr<ort::OrtSession> session_;
  size_t hidden_size_ = 0;
  size_t dimension_ = 0;
  // One run at a time per model: concurrent runs would fight over the same intra-op cores.
  mutable std::mutex run_mutex_;
};

}  // namespace sk::pipeline
