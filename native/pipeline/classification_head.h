// The sequence-classification head of a cross-encoder on each sequence's first token, read
// from model.safetensors for sentencekit's own engines: BERT's pooler (dense + tanh) then
// classifier, or RoBERTa's classifier.dense (+ tanh) then classifier.out_proj, as transformers
// applies them at inference (dropout off).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/status.h"
#include "pipeline/dense_layer.h"

namespace sk::pipeline {

struct ClassificationHead {
  DenseLayer dense, out;

  size_t num_labels() const { return out.out_features; }
  // ERR_MODEL_LOAD when model.safetensors has neither head.
  static Status Load(const std::string& model_dir, size_t hidden, ClassificationHead* head);
  // logits[rows, num_labels()] of first_tokens[rows, hidden]; `scratch` is reused.
  void Apply(const float* first_tokens, size_t rows, float* logits, std::vector<float>& scratch) const;
};

}  // namespace sk::pipeline
