// The transformer's shape, read from the model folder's config.json (Hugging Face layout).
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "model/activation.h"

namespace sk::model {

struct EncoderConfig {
  std::string model_type;  // "bert", "roberta" / "xlm-roberta" (other positions), "mpnet"
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

  int head_dim() const { return num_heads > 0 ? hidden_size / num_heads : 0; }
  // The longest sequence the position table allows.
  int max_sequence() const { return max_position_embeddings - position_offset; }
};

Status ReadEncoderConfig(const std::string& path, EncoderConfig* out);
// The same over config.json's text; `path` names the file in errors.
Status ParseEncoderConfig(std::string_view text, const std::string& path, EncoderConfig* out);

}  // namespace sk::model
