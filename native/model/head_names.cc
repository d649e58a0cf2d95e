#include "model/head_names.h"

namespace sk::model {

std::string FindBasePrefix(const SafetensorsFile& file) {
  for (const char* prefix : {"", "bert.", "roberta.", "mpnet.", "distilbert.", "model."}) {
    if (file.Has(std::string(prefix) + "embeddings.word_embeddings.weight")) return prefix;
  }
  return "";
}

bool FindClassificationHead(const SafetensorsFile& file, const std::string& prefix, ClassificationHeadNames* out) {
  if (file.Has(prefix + "pooler.dense.weight") && file.Has("classifier.weight")) {
    *out = {prefix + "pooler.dense", "classifier", false};
    return true;
  }
  if (file.Has("classifier.dense.weight") && file.Has("classifier.out_proj.weight")) {
    *out = {"classifier.dense", "classifier.out_proj", false};
    return true;
  }
  if (file.Has("pre_classifier.weight") && file.Has("classifier.weight")) {
    *out = {"pre_classifier", "classifier", true};
    return true;
  }
  return false;
}

bool FindMaskedLmHead(const SafetensorsFile& file, MaskedLmHeadNames* out) {
  if (file.Has("cls.predictions.transform.dense.weight")) {
    *out = {"cls.predictions.transform.dense", "cls.predictions.transform.LayerNorm", "cls.predictions.decoder.weight",
            file.Has("cls.predictions.bias") ? "cls.predictions.bias" : "cls.predictions.decoder.bias"};
    return true;
  }
  // DistilBertForMaskedLM: vocab_transform + activation + vocab_layer_norm, vocab_projector tied
  // to the word embeddings.
  if (file.Has("vocab_transform.weight")) {
    *out = {"vocab_transform", "vocab_layer_norm", "vocab_projector.weight", "vocab_projector.bias"};
    return true;
  }
  if (file.Has("lm_head.dense.weight")) {
    *out = {"lm_head.dense", "lm_head.layer_norm", "lm_head.decoder.weight",
            file.Has("lm_head.bias") ? "lm_head.bias" : "lm_head.decoder.bias"};
    return true;
  }
  return false;
}

}  // namespace sk::model
