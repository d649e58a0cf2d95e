// sentence-transformers' CLIP model (its CLIPModel module, or the Transformer module over
// transformers' CLIPModel): texts through the tokenizer and the text tower, pixel tensors (made
// by CLIPImageProcessor's steps, native/image) through the vision tower, both into the shared
// space as get_text_features / get_image_features give them (projected, not normalized); then
// encode()'s normalize_embeddings and truncate_dim. The towers run on the CPU engine from
// model.safetensors or pytorch_model.bin (what the Hub's CLIP folders ship), or through ONNX
// Runtime when the caller names an export (pipeline/clip_towers.h).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "pipeline/clip_towers.h"
#include "pipeline/model_input.h"

namespace sk::pipeline {

struct ClipModelConfig {
  // config.json (+ model.safetensors for the CPU engine, unless engine.weights_path names the
  // weights file)
  std::string model_dir;
  // The tokenizer; max_length: the text tower's positions unless smaller; session: ONNX
  // Runtime's settings when `onnx` names an export.
  ModelFiles files;
  cpu::ClipEncoder::LoadOptions engine;
  ClipOnnxFiles onnx;  // empty: the CPU engine
};

struct ClipEncodeParams {
  bool normalize_module = false;  // a Normalize module follows the CLIP module: before truncation
  bool normalize = false;   // normalize_embeddings
  size_t truncate_dim = 0;  // 0 keeps every dimension
};

class ClipModel {
 public:
  static Status Load(const ClipModelConfig& config, std::unique_ptr<ClipModel>* out);

  size_t dimension() const { return static_cast<size_t>(clip_config_.projection_dim); }
  size_t OutputDimension(const ClipEncodeParams& params) const {
    return params.truncate_dim > 0 && params.truncate_dim < dimension() ? params.truncate_dim : dimension();
  }
  const model::ClipConfig& config() const { return clip_config_; }
  const ClipTowers& towers() const { return *towers_; }
  const tok::Tokenizer& tokenizer() const { return *tokenizer_.tokenizer; }
  // How transformers pads and truncates for this tokenizer (model.tokenize()).
  const ModelTokenizer& padding() const { return tokenizer_; }

  // Into out[n * OutputDimension(params)], in order. One call at a time (the owner thread).
  Status EncodeTexts(const std::vector<std::string>& texts, const ClipEncodeParams& params, float* out);
  // pixels: [num_images, channels, image_size, image_size] float32.
  Status EncodeImages(const float* pixels, size_t num_images, const ClipEncodeParams& params, float* out);

 private:
  ClipModel() = default;
  // Rows of dimension() in `full` → out, truncated and normalized as params ask.
  void Finish(std::vector<float>& full, size_t rows, const ClipEncodeParams& params, float* out) const;

  ClipModelConfig config_;
  ModelTokenizer tokenizer_;
  model::ClipConfig clip_config_;
  std::unique_ptr<ClipTowers> towers_;
};

}  // namespace sk::pipeline
