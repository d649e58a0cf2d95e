// config.json of the architectures the CPU engine added in issue 22 (DistilBERT, ModernBERT):
// the fixture configs parse as transformers wrote them, older ModernBERT key spellings mean the
// same, and hostile values are typed errors naming what is wrong.
#include <string>

#include "check.h"
#include "core/file_util.h"
#include "fixtures.h"
#include "model/encoder_config.h"

namespace {

sk::Status Parse(const std::string& text, sk::model::EncoderConfig* config) {
  return sk::model::ParseEncoderConfig(text, "config.json", config);
}

void CheckRefused(const std::string& text, const std::string& expected) {
  sk::model::EncoderConfig config;
  const sk::Status status = Parse(text, &config);
  CHECK(!status.ok() && status.code() == sk::StatusCode::kModelLoad && status.message().find(expected) != std::string::npos)
      << expected << ": " << status.message();
}

}  // namespace

TEST(distilbert_config_reads_its_own_key_names) {
  sk::model::EncoderConfig config;
  const std::string text = sktest::FixtureConfigText("tiny-distilbert");
  CHECK(Parse(text, &config).ok());
  CHECK(config.is_distilbert() && config.hidden_size == 32 && config.num_layers == 2 && config.num_heads == 4 &&
        config.intermediate_size == 64 && config.max_position_embeddings == 512 && config.type_vocab_size == 0);
  CHECK(config.activation == sk::model::Activation::kGeluErf && config.layer_norm_eps == 1e-12f);
  sk::model::EncoderConfig relu;
  CHECK(Parse(sktest::ReplaceFirst(text, "\"activation\": \"gelu\"", "\"activation\": \"relu\""), &relu).ok() &&
        relu.activation == sk::model::Activation::kRelu);
  CheckRefused(sktest::ReplaceFirst(text, "\"activation\": \"gelu\"", "\"activation\": \"swish\""), "activation \"swish\"");
  CheckRefused(sktest::ReplaceFirst(text, "\"dim\": 32", "\"dim\": 4294967328"), "\"dim\"");
  CheckRefused(sktest::ReplaceFirst(text, "\"n_heads\": 4", "\"n_heads\": 5"), "inconsistent transformer shape");
  CheckRefused(sktest::ReplaceFirst(text, "\"sinusoidal_pos_embds\": false", "\"sinusoidal_pos_embds\": 1"), "sinusoidal_pos_embds");
}

TEST(modernbert_config_reads_layer_kinds_window_and_rope_thetas) {
  sk::model::EncoderConfig config;
  const std::string text = sktest::FixtureConfigText("tiny-modernbert");
  CHECK(Parse(text, &config).ok());
  const sk::model::ModernBertSettings& settings = config.modernbert;
  CHECK(config.is_modernbert() && config.hidden_size == 32 && config.num_layers == 3 && config.intermediate_size == 48);
  CHECK(!settings.sliding_layer(0) && settings.sliding_layer(1) && !settings.sliding_layer(2));
  CHECK(settings.half_window == 8 && settings.global_rope_theta == 160000.0 && settings.local_rope_theta == 10000.0);
  CHECK(!settings.norm_bias && !settings.attention_bias && !settings.mlp_bias && config.layer_norm_eps == 1e-5f);
  // Hub files from before transformers 5 spell the layer kinds and thetas differently.
  std::string older = sktest::ReplaceFirst(text, "\"layer_types\": [\n    \"full_attention\",\n    \"sliding_attention\",\n    \"full_attention\"\n  ],", "");
  older = sktest::ReplaceFirst(older, "\"rope_parameters\"", "\"global_rope_theta\": 80000.0, \"local_rope_theta\": 500.0, \"unused_rope\"");
  sk::model::EncoderConfig old_config;
  CHECK(Parse(older, &old_config).ok());
  CHECK(!old_config.modernbert.sliding_layer(0) && old_config.modernbert.sliding_layer(1) && !old_config.modernbert.sliding_layer(2) &&
        !old_config.modernbert.sliding_layer(4));
  CHECK(old_config.modernbert.global_rope_theta == 80000.0 && old_config.modernbert.local_rope_theta == 500.0);
}

TEST(hostile_modernbert_values_are_typed_errors) {
  const std::string text = sktest::FixtureConfigText("tiny-modernbert");
  CheckRefused(sktest::ReplaceFirst(text, "\"sliding_attention\",", "\"sliding_attention\", \"full_attention\","), "layer_types");
  CheckRefused(sktest::ReplaceFirst(text, "\"sliding_attention\",", "\"chunked_attention\","), "layer_types");
  CheckRefused(sktest::ReplaceFirst(text, "\"rope_theta\": 160000.0", "\"rope_theta\": -1"), "rope_theta");
  CheckRefused(sktest::ReplaceFirst(text, "\"rope_type\": \"default\"", "\"rope_type\": \"yarn\""), "rope_type");
  CheckRefused(sktest::ReplaceFirst(text, "\"local_attention\": 16", "\"local_attention\": -16"), "local_attention");
  CheckRefused(sktest::ReplaceFirst(text, "\"global_attn_every_n_layers\": 2", "\"global_attn_every_n_layers\": 0"), "global_attn_every_n_layers");
  CheckRefused(sktest::ReplaceFirst(text, "\"norm_bias\": false", "\"norm_bias\": \"no\""), "norm_bias");
  CheckRefused(sktest::ReplaceFirst(text, "\"hidden_activation\": \"gelu\"", "\"hidden_activation\": \"relu\""), "relu");
  CheckRefused(sktest::ReplaceFirst(text, "\"num_attention_heads\": 4", "\"num_attention_heads\": 32"), "even attention head size");
  CheckRefused(sktest::ReplaceFirst(text, "\"norm_eps\": 1e-05", "\"norm_eps\": 0"), "epsilon");
  CheckRefused(sktest::ReplaceFirst(text, "\"model_type\": \"modernbert\"", "\"model_type\": \"qwen2\""), "is not supported by the native engines yet");
}
