// The transformer's shape, read from the model folder's config.json (Hugging Face layout).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "model/activation.h"

namespace sk::model {

// ModernBERT's own settings (transformers' ModernBertConfig), read only for model_type "modernbert".
struct ModernBertSettings {
  // Sliding-window layers attend to keys at most `half_window` positions away on either side
  // (local_attention / 2); the others attend globally.
  int half_window = 64;
  // Layer l is global when l % global_every == 0 (global_attn_every_n_layers), unless
  // config.json lists layer_types, which then decide (sliding[l]).
  int global_every = 3;
  std::vector<uint8_t> sliding;
  double global_rope_theta = 160000.0, local_rope_theta = 10000.0;
  bool norm_bias = false, attention_bias = false, mlp_bias = false;
  // The sequence-classification head: pooling "cls" (first token) or "mean", dense (bias when
  // classifier_bias) → classifier_activation → LayerNorm.
  bool classifier_mean = false, classifier_bias = false;
  Activation classifier_activation = Activation::kGeluErf;

  bool sliding_layer(int layer) const {
    return sliding.empty() ? layer % global_every != 0 : sliding[static_cast<size_t>(layer)] != 0;
  }
};

struct EncoderConfig {
  // "bert", "roberta" / "xlm-roberta" (other positions), "mpnet", "distilbert" (BERT's layer
  // under other names, no token types), "modernbert" (pre-norm, rotary, GeGLU, sliding window).
  std::string model_type;
  int vocab_size = 0;
  int hidden_size = 0;
  int num_layers = 0;
  int num_heads = 0;
  int intermediate_size = 0;
  int max_position_embeddings = 0;
  int type_vocab_size = 0;
  int pad_token_id = 0;
  float layer_norm_eps = 1e-12f;
  Activation activation = Activation::kGeluErf;
  // RoBERTa numbers positions from pad_token_id + 1 (its position ids skip the padding index).
  int position_offset = 0;
  // MPNet: a relative position bias (relative_attention_num_buckets buckets, shared by every
  // layer) added to the attention scores; 0 for the others.
  int relative_buckets = 0;
  // DistilBERT's sinusoidal_pos_embds: a fixed table, but saved in position_embeddings.weight
  // like a learned one, so the engines read it alike.
  bool sinusoidal_positions = false;
  ModernBertSettings modernbert;

  bool is_distilbert() const { return model_type == "distilbert"; }
  bool is_modernbert() const { return model_type == "modernbert"; }

  int head_dim() const { return num_heads > 0 ? hidden_size / num_heads : 0; }
  // The longest sequence the position table allows.
  int max_sequence() const { return max_position_embeddings - position_offset; }
};

Status ReadEncoderConfig(const std::string& path, EncoderConfig* out);
// config.json's layer_types (ModernBERT's, Qwen3's, Gemma 3's): when listed, *listed is true and
// `sliding` holds one entry per layer (1: "sliding_attention", 0: "full_attention"), each
// checked against num_layers; when absent or null, *listed is false and `sliding` is left alone.
Status ReadLayerTypes(const JsonValue& config, int num_layers, const std::string& path, std::vector<uint8_t>* sliding,
                      bool* listed);
// The same over config.json's text; `path` names the file in errors.
Status ParseEncoderConfig(std::string_view text, const std::string& path, EncoderConfig* out);

}  // namespace sk::model
