// A bi-encoder: tokenizer → ONNX transformer → pooling → optional L2 normalization, for
// a batch of texts, written into one caller-provided [texts, dimension] float buffer.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "pipeline/model_session.h"
#include "pipeline/pooling.h"

namespace sk::pipeline {

struct SentenceEncoderConfig {
  ModelFiles files;
  PoolingSpec pooling;
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
  const tok::Tokenizer& tokenizer() const { return *model_.tokenizer; }

  // Encodes `texts` into out[texts.size() * dimension()] in the caller's order. Thread-safe.
  Status Encode(const std::vector<std::string>& texts, const EncodeParams& params, float* out) const;

 private:
  SentenceEncoder() = default;

  SentenceEncoderConfig config_;
  ModelSession model_;
  size_t hidden_size_ = 0;
  size_t dimension_ = 0;
};

}  // namespace sk::pipeline
