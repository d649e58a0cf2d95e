// What runs a CLIP model's two towers into the shared space, as get_text_features /
// get_image_features give them: sentencekit's CPU engine (from model.safetensors) or ONNX
// Runtime (an export's text and vision graphs). ClipModel tokenizes, preprocesses and
// post-processes around either.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "cpu_engine/clip_encoder.h"
#include "model/clip_config.h"
#include "runtime/ort_session.h"
#include "tokenizer/tokenizer.h"

namespace sk::pipeline {

class ClipTowers {
 public:
  virtual ~ClipTowers() = default;
  // The engine, as lib's backend option names it: 'onnx', 'sentencekit-int8' or 'sentencekit-bf16x3'.
  virtual const char* backend() const = 0;
  // Threads one call runs on: the CPU engine's lanes, or ONNX Runtime's intra-op threads.
  virtual size_t threads() const = 0;
  // Whether the rows come back L2-normalized whatever the model's modules say (an export of
  // CLIPModel.forward, whose text_embeds / image_embeds are normalized in the graph).
  virtual bool normalizes() const { return false; }
  // Each encoding's projected features → out[encodings.size(), projection_dim]. One call at a time.
  virtual Status EncodeTexts(const std::vector<tok::Encoding>& encodings, float* out) = 0;
  // Pixel tensors [num_images, num_channels, image_size, image_size] → out[num_images, projection_dim].
  virtual Status EncodeImages(const float* pixels, size_t num_images, float* out) = 0;
};

// The CPU engine's towers from `model_dir`'s config.json and model.safetensors.
Status LoadCpuClipTowers(const std::string& model_dir, const cpu::ClipEncoder::LoadOptions& options,
                         std::unique_ptr<ClipTowers>* out);

// An ONNX export of the towers. Either `text_model` and `vision_model` (transformers.js's
// onnx/text_model.onnx and onnx/vision_model.onnx, CLIPTextModelWithProjection and
// CLIPVisionModelWithProjection: text_embeds / image_embeds as get_*_features give them), or
// `model` alone (optimum's feature-extraction export of CLIPModel, onnx/model.onnx: both
// towers in one graph that takes input_ids, attention_mask and pixel_values together and
// normalizes text_embeds / image_embeds).
struct ClipOnnxFiles {
  std::string text_model, vision_model, model;
  bool empty() const { return text_model.empty() && vision_model.empty() && model.empty(); }
};

// `pad_id`: what padded text batches are filled with (the tokenizer's pad token; the causal
// tower never lets a real token see it).
Status LoadOnnxClipTowers(const ClipOnnxFiles& files, const ort::SessionOptions& session, const model::ClipConfig& config,
                          int64_t pad_id, std::unique_ptr<ClipTowers>* out);

}  // namespace sk::pipeline
