// The sequence-classification head of a cross-encoder, read from model.safetensors for
// sentencekit's own engines, as transformers applies it at inference (dropout off):
// - BERT: the first token through the pooler (dense + tanh), then classifier;
// - RoBERTa / MPNet: the first token through classifier.dense (+ tanh), then classifier.out_proj;
// - DistilBERT: the first token through pre_classifier (+ ReLU), then classifier;
// - ModernBERT: the first token (classifier_pooling "cls") or the mean of the sequence's tokens
//   ("mean") through head.dense (+ classifier_activation) and head.norm (LayerNorm), then
//   classifier.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/status.h"
#include "model/encoder_config.h"
#include "pipeline/dense_layer.h"

namespace sk::pipeline {

struct ClassificationHead {
  DenseLayer dense, out;
  bool mean_pooled = false;
  // ModernBERT's LayerNorm between dense and out (empty gamma: none).
  std::vector<float> norm_gamma, norm_beta;
  float norm_eps = 1e-5f;

  size_t num_labels() const { return out.out_features; }
  // ERR_MODEL_LOAD when model.safetensors has no head of the model's architecture.
  static Status Load(const std::string& model_dir, const model::EncoderConfig& config, ClassificationHead* head);
  // The BERT-family heads alone (BERT, RoBERTa / MPNet, DistilBERT) over `hidden` features.
  static Status Load(const std::string& model_dir, size_t hidden, ClassificationHead* head);
  // pooled[hidden] = what the head reads of one sequence's hidden states [length, hidden].
  void Pool(const float* sequence, size_t length, float* pooled) const;
  // logits[rows, num_labels()] of pooled[rows, hidden]; `scratch` is reused.
  void Apply(const float* pooled, size_t rows, float* logits, std::vector<float>& scratch) const;
};

}  // namespace sk::pipeline
