#include "pipeline/classification_head.h"

#include <algorithm>
#include <cmath>

#include "model/head_names.h"
#include "model/safetensors_file.h"

namespace sk::pipeline {
namespace {

Status ReadLayer(const model::SafetensorsFile& file, const std::string& name, size_t in, size_t out,
                 DenseActivation activation, DenseLayer* layer, bool has_bias = true) {
  layer->in_features = in;
  layer->out_features = out;
  layer->activation = activation;
  SK_RETURN_IF_ERROR(file.ReadFloat32(name + ".weight", {static_cast<int64_t>(out), static_cast<int64_t>(in)}, &layer->weight));
  if (has_bias) {
    SK_RETURN_IF_ERROR(file.ReadFloat32(name + ".bias", {static_cast<int64_t>(out)}, &layer->bias));
  } else {
    layer->bias.clear();
  }
  return layer->Validate();
}

Status LabelCount(const model::SafetensorsFile& file, const std::string& out, size_t* labels) {
  const model::SafetensorsEntry* entry = file.Find(out + ".weight");
  if (entry == nullptr || entry->shape.size() != 2 || entry->shape[0] <= 0) {
    return ModelLoadError(file.path() + ": " + out + ".weight is not [labels, hidden]");
  }
  *labels = static_cast<size_t>(entry->shape[0]);
  return Status::Ok();
}


// ModernBertForSequenceClassification: head.dense (bias when classifier_bias) → activation →
// head.norm, then classifier (always with bias).
Status LoadModernBertHead(const model::SafetensorsFile& file, const model::EncoderConfig& config, ClassificationHead* head) {
  if (!file.Has("head.dense.weight") || !file.Has("classifier.weight")) {
    return ModelLoadError(file.path() + " has no ModernBERT sequence-classification head (head.dense, head.norm, classifier)");
  }
  const model::ModernBertSettings& settings = config.modernbert;
  const size_t hidden = static_cast<size_t>(config.hidden_size);
  size_t labels = 0;
  SK_RETURN_IF_ERROR(LabelCount(file, "classifier", &labels));
  if (settings.classifier_activation == model::Activation::kGeluTanh) {
    return ModelLoadError(file.path() + ": a tanh-approximated GELU classifier_activation is not supported by the native engines");
  }
  const DenseActivation activation =
      settings.classifier_activation == model::Activation::kRelu ? DenseActivation::kRelu : DenseActivation::kGelu;
  SK_RETURN_IF_ERROR(ReadLayer(file, "head.dense", hidden, hidden, activation, &head->dense, settings.classifier_bias));
  SK_RETURN_IF_ERROR(file.ReadFloat32("head.norm.weight", {config.hidden_size}, &head->norm_gamma));
  head->norm_beta.clear();
  if (settings.norm_bias) SK_RETURN_IF_ERROR(file.ReadFloat32("head.norm.bias", {config.hidden_size}, &head->norm_beta));
  head->norm_eps = config.layer_norm_eps;
  head->mean_pooled = settings.classifier_mean;
  return ReadLayer(file, "classifier", hidden, labels, DenseActivation::kIdentity, &head->out);
}

}  // namespace

Status ClassificationHead::Load(const std::string& model_dir, const model::EncoderConfig& config, ClassificationHead* head) {
  model::SafetensorsFile file;
  SK_RETURN_IF_ERROR(file.Open(model_dir + "/model.safetensors"));
  if (config.is_modernbert()) return LoadModernBertHead(file, config, head);
  const size_t hidden = static_cast<size_t>(config.hidden_size);
  model::ClassificationHeadNames names;
  if (!model::FindClassificationHead(file, model::FindBasePrefix(file), &names)) {
    return ModelLoadError(file.path() + " has no sequence-classification head (BERT's pooler + classifier, "
                          "classifier.dense + classifier.out_proj, or pre_classifier + classifier)");
  }
  const std::string& dense = names.dense;
  const std::string& out = names.out;
  size_t labels = 0;
  SK_RETURN_IF_ERROR(LabelCount(file, out, &labels));
  SK_RETURN_IF_ERROR(ReadLayer(file, dense, hidden, hidden, names.relu ? DenseActivation::kRelu : DenseActivation::kTanh, &head->dense));
  return ReadLayer(file, out, hidden, labels, DenseActivation::kIdentity, &head->out);
}

Status ClassificationHead::Load(const std::string& model_dir, size_t hidden, ClassificationHead* head) {
  model::EncoderConfig config;
  config.model_type = "bert";
  config.hidden_size = static_cast<int>(hidden);
  return Load(model_dir, config, head);
}

void ClassificationHead::Pool(const float* sequence, size_t length, float* pooled) const {
  const size_t hidden = dense.in_features;
  if (!mean_pooled) {
    std::copy_n(sequence, hidden, pooled);
    return;
  }
  // transformers sums the masked tokens in the model's dtype, then divides by their count.
  std::fill_n(pooled, hidden, 0.0f);
  for (size_t t = 0; t < length; ++t) {
    for (size_t c = 0; c < hidden; ++c) pooled[c] += sequence[t * hidden + c];
  }
  for (size_t c = 0; c < hidden; ++c) pooled[c] /= static_cast<float>(length);
}

void ClassificationHead::Apply(const float* pooled, size_t rows, float* logits, std::vector<float>& scratch) const {
  scratch.resize(rows * dense.out_features);
  dense.Apply(pooled, rows, scratch.data());
  if (!norm_gamma.empty()) {
    const size_t hidden = dense.out_features;
    for (size_t r = 0; r < rows; ++r) {
      float* row = scratch.data() + r * hidden;
      double mean = 0.0, variance = 0.0;
      for (size_t c = 0; c < hidden; ++c) mean += row[c];
      mean /= static_cast<double>(hidden);
      for (size_t c = 0; c < hidden; ++c) variance += (row[c] - mean) * (row[c] - mean);
      variance /= static_cast<double>(hidden);
      const double inverse = 1.0 / std::sqrt(variance + norm_eps);
      for (size_t c = 0; c < hidden; ++c) {
        row[c] = static_cast<float>((row[c] - mean) * inverse) * norm_gamma[c] + (norm_beta.empty() ? 0.0f : norm_beta[c]);
      }
    }
  }
  out.Apply(scratch.data(), rows, logits);
}

}  // namespace sk::pipeline
