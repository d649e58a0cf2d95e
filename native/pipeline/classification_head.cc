#include "pipeline/classification_head.h"

#include "model/head_names.h"
#include "model/safetensors_file.h"

namespace sk::pipeline {
namespace {

Status ReadLayer(const model::SafetensorsFile& file, const std::string& name, size_t in, size_t out,
                 DenseActivation activation, DenseLayer* layer) {
  layer->in_features = in;
  layer->out_features = out;
  layer->activation = activation;
  SK_RETURN_IF_ERROR(file.ReadFloat32(name + ".weight", {static_cast<int64_t>(out), static_cast<int64_t>(in)}, &layer->weight));
  SK_RETURN_IF_ERROR(file.ReadFloat32(name + ".bias", {static_cast<int64_t>(out)}, &layer->bias));
  return layer->Validate();
}

}  // namespace

Status ClassificationHead::Load(const std::string& model_dir, size_t hidden, ClassificationHead* head) {
  model::SafetensorsFile file;
  SK_RETURN_IF_ERROR(file.Open(model_dir + "/model.safetensors"));
  model::ClassificationHeadNames names;
  if (!model::FindClassificationHead(file, model::FindBasePrefix(file), &names)) {
    return ModelLoadError(file.path() + " has no sequence-classification head (BERT's pooler + classifier, or "
                          "classifier.dense + classifier.out_proj)");
  }
  const std::string& dense = names.dense;
  const std::string& out = names.out;
  const model::SafetensorsEntry* entry = file.Find(out + ".weight");
  if (entry == nullptr || entry->shape.size() != 2 || entry->shape[0] <= 0) {
    return ModelLoadError(file.path() + ": " + out + ".weight is not [labels, hidden]");
  }
  SK_RETURN_IF_ERROR(ReadLayer(file, dense, hidden, hidden, DenseActivation::kTanh, &head->dense));
  return ReadLayer(file, out, hidden, static_cast<size_t>(entry->shape[0]), DenseActivation::kIdentity, &head->out);
}

void ClassificationHead::Apply(const float* first_tokens, size_t rows, float* logits, std::vector<float>& scratch) const {
  scratch.resize(rows * dense.out_features);
  dense.Apply(first_tokens, rows, scratch.data());
  out.Apply(scratch.data(), rows, logits);
}

}  // namespace sk::pipeline
