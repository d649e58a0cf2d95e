// The shape of a decoder-architecture embedding model the CPU engine runs (transformers'
// Qwen3Model for Qwen3-Embedding, Gemma3TextModel for EmbeddingGemma), read from config.json.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "cpu_engine/block_ops.h"

namespace sk::cpu {

struct DecoderConfig {
  std::string model_type;  // "qwen3" or "gemma3_text"
  int vocab_size = 0;
  int hidden_size = 0;
  int num_layers = 0;
  int num_heads = 0;
  int num_kv_heads = 0;  // grouped-query attention: num_heads / num_kv_heads query heads share one
  int head_dim = 0;      // its own setting, not hidden_size / num_heads
  int intermediate_size = 0;
  int max_position_embeddings = 0;
  float rms_norm_eps = 1e-6f;
  bool attention_bias = false;  // Qwen3's q/k/v/o biases (off in every released model)
  GateActivation activation = GateActivation::kSilu;
  // Rotary bases: full-attention layers (with a linear rope scaling factor) and sliding ones.
  double rope_theta = 10000.0, rope_factor = 1.0, local_rope_theta = 10000.0;
  // Causal masks (Qwen3; Gemma 3 unless use_bidirectional_attention, as EmbeddingGemma sets).
  bool causal = true;
  // Sliding layers: query i sees keys at most sliding_before before it and sliding_after after.
  std::vector<uint8_t> sliding;  // per layer
  size_t sliding_before = 0, sliding_after = 0;
  // Gemma 3: RMSNorm weights applied as (1 + w), embeddings scaled by sqrt(hidden_size), norms
  // after attention and after the MLP as well as before, scores scaled by query_pre_attn_scalar^-0.5.
  float norm_weight_offset = 0.0f;
  float embedding_scale = 1.0f;
  bool sandwich_norms = false;
  float attention_scale = 0.0f;

  bool is_gemma3() const { return model_type == "gemma3_text"; }
  size_t query_width() const { return static_cast<size_t>(num_heads) * head_dim; }
  size_t kv_width() const { return static_cast<size_t>(num_kv_heads) * head_dim; }
};

// Whether config.json's model_type is one of these (the rest are EncoderConfig's).
bool IsDecoderModelType(std::string_view model_type);
// config.json's model_type ("" when it has none).
Status ReadModelType(const std::string& path, std::string* model_type);
Status ReadDecoderConfig(const std::string& path, DecoderConfig* out);
Status ParseDecoderConfig(std::string_view text, const std::string& path, DecoderConfig* out);

}  // namespace sk::cpu
