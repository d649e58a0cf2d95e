// A cross-encoder (reranker): each (first, second) pair is one sequence through a
// sequence-classification model; the result is its raw logits. Activations (sigmoid,
// softmax) are applied by the caller, as sentence-transformers applies them after the model.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "pipeline/encoder_backend.h"

namespace sk::pipeline {

class CrossEncoderModel {
 public:
  // On the CPU engine or CUDA the classification head is read from the placement's
  // model.safetensors (ERR_MODEL_LOAD without one); on ONNX Runtime it is the export's output.
  static Status Load(const ModelFiles& files, const Placement& placement, std::unique_ptr<CrossEncoderModel>* out);

  size_t num_labels() const { return backend_->width(); }

  // Writes out[pairs.size() * num_labels()] logits in the caller's order, each pair truncated
  // longest_first to `max_length` tokens (0: the length the model loaded with). Thread-safe.
  Status Predict(const std::vector<std::pair<std::string, std::string>>& pairs, size_t batch_size, size_t max_length,
                 float* out) const;
  // Predict() for single texts, each one sequence as the tokenizer encodes a text alone
  // ([CLS] text [SEP]), as TEI's /predict scores a single input. Thread-safe.
  Status PredictTexts(const std::vector<std::string>& texts, size_t batch_size, size_t max_length, float* out) const;

 private:
  CrossEncoderModel() = default;
  Status Logits(const std::vector<tok::Encoding>& encodings, size_t batch_size, float* out) const;

  ModelFiles files_;
  ModelTokenizer tokenizer_;  // before backend_, which borrows it
  std::unique_ptr<EncoderBackend> backend_;
};

}  // namespace sk::pipeline
