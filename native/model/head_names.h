// Where a transformers model.safetensors keeps the base model and the heads put on it, for
// sentencekit's own engines (the CPU int8 engine and the CUDA engine read the same files).
#pragma once

#include <string>

#include "model/safetensors_file.h"

namespace sk::model {

// The base model's tensor prefix: "" (saved bare, as sentence-transformers does), or "bert.",
// "roberta.", "mpnet.", "distilbert.", "model." inside a head model; "" when none has the word embeddings.
std::string FindBasePrefix(const SafetensorsFile& file);

struct ClassificationHeadNames {
  std::string dense, out;  // tensor name stems: <stem>.weight, <stem>.bias
  bool relu = false;       // the dense layer's activation: ReLU (DistilBERT), else tanh
};
// BERT's pooler (inside the base prefix) + classifier, RoBERTa/MPNet's classifier.dense +
// classifier.out_proj, or DistilBERT's pre_classifier (+ ReLU) + classifier; false when the
// file has none of them.
bool FindClassificationHead(const SafetensorsFile& file, const std::string& prefix, ClassificationHeadNames* out);

struct MaskedLmHeadNames {
  std::string dense, norm;  // the transform: dense + activation + LayerNorm
  std::string decoder;      // its own tensor, or absent when tied to the word embeddings
  std::string bias;         // the decoder's bias
};
// BERT's cls.predictions, RoBERTa's lm_head or DistilBERT's vocab_transform / vocab_layer_norm /
// vocab_projector; false when the file has none of them.
bool FindMaskedLmHead(const SafetensorsFile& file, MaskedLmHeadNames* out);

}  // namespace sk::model
