// One of CLIP's two transformers (transformers' CLIPEncoder) on the CPU engine: pre-LayerNorm
// layers, x += out_proj(attention(layer_norm1(x))), x += fc2(act(fc1(layer_norm2(x)))), every
// linear layer with its bias, through EngineLinear at the engine's precision. The caller makes
// the input rows (token + position embeddings, or patches + class token) and reads the rows it
// pools; the text tower's attention is causal, the vision tower's is not. Packed sequences: each
// attends over its own rows only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/aligned_vector.h"
#include "core/status.h"
#include "core/thread_pool.h"
#include "cpu_engine/engine_linear.h"
#include "model/clip_config.h"
#include "model/safetensors_file.h"

namespace sk::cpu {

class ClipTower {
 public:
  // One lane's buffers, grown to its largest batch and reused.
  struct Workspace {
    std::vector<float> qkv, context, projected, normed, intermediate;
    GemmRows rows_in, intermediate_q;
    AlignedVector<float> attention_scratch;
  };

  // Reads `<prefix>encoder.layers.N.*` (prefix "text_model." or "vision_model.").
  Status Load(const model::SafetensorsFile& file, const std::string& prefix, const model::ClipTowerConfig& config,
              EnginePrecision precision);

  // Runs every layer over hidden[tokens, hidden_size] in place; sequence s is rows
  // [offsets[s], offsets[s + 1]). With `pool` the GEMMs of this one batch are spread over it
  // (a lone batch; never from inside the pool's own tasks).
  void Run(Workspace& work, float* hidden, const int32_t* offsets, size_t num_seqs, bool causal, ThreadPool* pool,
           size_t slot) const;

  const model::ClipTowerConfig& config() const { return config_; }

 private:
  struct Layer {
    EngineLinear qkv, out, fc1, fc2;
    std::vector<float> norm1_weight, norm1_bias, norm2_weight, norm2_bias;
  };
  void Reserve(Workspace& work, size_t tokens, size_t longest) const;
  // rows_in row t = LayerNorm(hidden row t), as the next GEMM reads it.
  void NormalizeInto(Workspace& work, const float* hidden, size_t tokens, const std::vector<float>& weight,
                     const std::vector<float>& bias) const;
  void Attend(Workspace& work, const int32_t* offsets, size_t num_seqs, bool causal) const;

  model::ClipTowerConfig config_;
  EnginePrecision precision_ = EnginePrecision::kInt8;
  std::vector<Layer> layers_;
};

// x · sigmoid(1.702 x) over a row in place: CLIP's quick_gelu (transformers' QuickGELUActivation).
void QuickGeluRow(float* x, size_t cols);

}  // namespace sk::cpu
