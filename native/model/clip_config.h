// A CLIP model's shape (transformers' CLIPConfig in config.json: text_config, vision_config,
// projection_dim), with transformers' defaults for what a file leaves out.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "model/activation.h"

namespace sk::model {

// One tower's transformer: pre-LayerNorm layers with biases, an MLP of fc1 → activation → fc2.
struct ClipTowerConfig {
  int hidden_size = 0;
  int intermediate_size = 0;
  int num_layers = 0;
  int num_heads = 0;
  float layer_norm_eps = 1e-5f;
  // quick_gelu (x · sigmoid(1.702 x)), CLIP's own; or one the other engines know (gelu).
  bool quick_gelu = true;
  Activation activation = Activation::kGeluErf;  // when !quick_gelu

  int head_dim() const { return num_heads > 0 ? hidden_size / num_heads : 0; }
};

struct ClipConfig {
  ClipTowerConfig text, vision;
  int vocab_size = 49408;
  int max_positions = 77;
  // The text tower pools at the first eos_token_id; configs written before transformers fixed
  // it say 2, and then the tower pools at the largest id (the end-of-text token of CLIP's
  // vocabulary), as transformers still does for them.
  int eos_token_id = 49407;
  bool pools_at_argmax() const { return eos_token_id == 2; }
  int image_size = 224;
  int patch_size = 32;
  int num_channels = 3;
  int projection_dim = 512;

  int patches_per_side() const { return patch_size > 0 ? image_size / patch_size : 0; }
  int image_tokens() const { return patches_per_side() * patches_per_side() + 1; }
};

Status ReadClipConfig(const std::string& path, ClipConfig* out);
// The same over config.json's text; `path` names the file in errors.
Status ParseClipConfig(std::string_view text, const std::string& path, ClipConfig* out);

}  // namespace sk::model
