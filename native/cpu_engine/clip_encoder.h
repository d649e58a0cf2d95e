// transformers' CLIPModel on the CPU engine, read from config.json and model.safetensors (or a
// pytorch_model.bin located by lib/torch-checkpoint.ts):
// get_text_features (token + position embeddings, the causal text tower, final_layer_norm at the
// pooled token, text_projection) and get_image_features (the patch convolution as one GEMM over
// unfolded patches, class token, position embeddings, pre_layrnorm, the vision tower,
// post_layernorm of the class token, visual_projection). Linear layers at the engine's precision
// (int8 or bf16x3), the rest float32; the projections (one row per input) in float32.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/thread_pool.h"
#include "cpu_engine/clip_tower.h"
#include "cpu_engine/engine_linear.h"
#include "model/clip_config.h"
#include "model/safetensors_file.h"

namespace sk::cpu {

class ClipEncoder {
 public:
  struct LoadOptions {
    size_t threads = 0;  // lanes, as ThreadPool counts them (0: one per hardware thread)
    EnginePrecision precision = EnginePrecision::kBf16x3;
    // Empty: <model_dir>/model.safetensors. Otherwise the weights file, read through
    // weights_table when that is set (a safetensors header locating the tensors of a
    // pytorch_model.bin, model::SafetensorsFile::OpenWithTable).
    std::string weights_path;
    std::string weights_table;
  };
  static Status Load(const std::string& model_dir, const LoadOptions& options, std::unique_ptr<ClipEncoder>* out);

  const model::ClipConfig& config() const { return config_; }
  size_t dimension() const { return static_cast<size_t>(config_.projection_dim); }
  size_t lanes() const { return pool_->size(); }

  // Token ids of each text (offsets[num_texts + 1], offsets[0] = 0), as the tokenizer made them
  // (start and end-of-text tokens included, at most max_position_embeddings) → out[num_texts,
  // dimension()]. Not reentrant: one call at a time (the model's owner thread).
  Status EncodeTexts(const int32_t* ids, const int32_t* offsets, size_t num_texts, float* out);
  // Pixel tensors [num_images, num_channels, image_size, image_size] (CLIPImageProcessor's
  // output) → out[num_images, dimension()].
  Status EncodeImages(const float* pixels, size_t num_images, float* out);

 private:
  struct Lane {
    ClipTower::Workspace text, vision;
    std::vector<float> hidden;
    GemmRows patches;
    std::vector<float> patch_row, patch_out, pooled;
    std::vector<int32_t> offsets;
  };
  ClipEncoder() = default;
  Status LoadWeights(const model::SafetensorsFile& file);
  // Texts [begin, end) on one lane (pool: its GEMMs split over the pool, a lone batch).
  void RunTexts(const int32_t* ids, const int32_t* offsets, size_t begin, size_t end, size_t lane, ThreadPool* pool,
                float* out);
  void RunImages(const float* pixels, size_t begin, size_t end, size_t lane, ThreadPool* pool, float* out);
  // out[dimension()] = projection · LayerNorm(row).
  void Project(const float* row, const std::vector<float>& norm_weight, const std::vector<float>& norm_bias, float eps,
               const std::vector<float>& projection, size_t width, Lane& lane, float* out) const;

  model::ClipConfig config_;
  EnginePrecision precision_ = EnginePrecision::kBf16x3;
  std::unique_ptr<ThreadPool> pool_;
  std::vector<Lane> lanes_;
  ClipTower text_, vision_;
  std::vector<float> token_embedding_, text_positions_, final_norm_weight_, final_norm_bias_, text_projection_;
  EngineLinear patch_embedding_;  // the convolution's [hidden, channels · patch²] kernel, no bias
  std::vector<float> class_embedding_, vision_positions_, pre_norm_weight_, pre_norm_bias_, post_norm_weight_,
      post_norm_bias_, visual_projection_;
};

}  // namespace sk::cpu
