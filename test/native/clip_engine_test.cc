// CLIP on the CPU engine (issue 23): config.json as transformers writes it (and hostile values
// as typed errors), quick_gelu against its definition, and the text tower's causal attention and
// pooling: tokens after the first end-of-text token change nothing, in both pooling forms (the
// end-of-text id, and the argmax id of configs whose eos_token_id is 2). Embedding parity with
// Python is test/parity/clip.parity.test.ts.
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "check.h"
#include "core/file_util.h"
#include "cpu_engine/clip_encoder.h"
#include "cpu_engine/clip_tower.h"
#include "fixtures.h"
#include "model/clip_config.h"

namespace {

void CheckRefused(const std::string& text, const std::string& expected) {
  sk::model::ClipConfig config;
  const sk::Status status = sk::model::ParseClipConfig(text, "config.json", &config);
  CHECK(!status.ok() && status.code() == sk::StatusCode::kModelLoad && status.message().find(expected) != std::string::npos)
      << expected << ": " << status.message();
}

// The first text's embedding, and the same ids with `extra` tokens after them.
void CheckTailIgnored(const char* folder, sk::cpu::EnginePrecision precision) {
  sk::cpu::ClipEncoder::LoadOptions options;
  options.threads = 2;
  options.precision = precision;
  std::unique_ptr<sk::cpu::ClipEncoder> engine;
  const sk::Status loaded = sk::cpu::ClipEncoder::Load(sktest::FixturePath(folder), options, &engine);
  CHECK(loaded.ok()) << loaded.message();
  if (!loaded.ok()) return;
  const sk::JsonValue reference = sktest::ReadFixtureJson("tiny-clip.reference.json");
  std::vector<int32_t> ids;
  for (int64_t id : sktest::IntArray(reference.Find("input_ids")->array()[0])) ids.push_back(static_cast<int32_t>(id));
  const int32_t length = static_cast<int32_t>(ids.size());
  // Packed: the text alone, then the text followed by three other tokens (what padding or a
  // second end-of-text token would add).
  std::vector<int32_t> packed = ids;
  packed.insert(packed.end(), ids.begin(), ids.end());
  packed.insert(packed.end(), {300, 301, ids.back()});
  const std::vector<int32_t> offsets = {0, length, 2 * length + 3};
  const size_t width = engine->dimension();
  std::vector<float> out(2 * width);
  const sk::Status status = engine->EncodeTexts(packed.data(), offsets.data(), 2, out.data());
  CHECK(status.ok()) << status.message();
  float diff = 0;
  for (size_t c = 0; c < width; ++c) diff = sktest::MaxOrNan(diff, std::fabs(out[c] - out[width + c]));
  CHECK(diff == 0.0f) << folder << ": the tail changed the embedding by " << diff;
  // Ids outside the vocabulary and texts past the position table are refused.
  std::vector<int32_t> bad = {ids[0], 1 << 20, ids.back()};
  const std::vector<int32_t> bad_offsets = {0, 3};
  CHECK(!engine->EncodeTexts(bad.data(), bad_offsets.data(), 1, out.data()).ok());
  std::vector<int32_t> long_text(78, ids[1]);
  const std::vector<int32_t> long_offsets = {0, 78};
  CHECK(!engine->EncodeTexts(long_text.data(), long_offsets.data(), 1, out.data()).ok());
}

}  // namespace

TEST(clip_config_reads_both_towers) {
  sk::model::ClipConfig config;
  const sk::Status status = sk::model::ParseClipConfig(sktest::FixtureConfigText("tiny-clip"), "config.json", &config);
  CHECK(status.ok()) << status.message();
  CHECK(config.text.hidden_size == 32 && config.text.num_heads == 4 && config.text.num_layers == 2);
  CHECK(config.vision.hidden_size == 64 && config.vision.num_heads == 2 && config.vision.intermediate_size == 96);
  CHECK(config.image_size == 30 && config.patch_size == 6 && config.image_tokens() == 26 && config.projection_dim == 16);
  CHECK(config.text.quick_gelu && config.vision.quick_gelu && !config.pools_at_argmax());
  sk::model::ClipConfig hub;
  CHECK(sk::model::ParseClipConfig(sktest::FixtureConfigText("tiny-clip-hub/0_CLIPModel"), "config.json", &hub).ok());
  CHECK(hub.pools_at_argmax());
}

TEST(clip_config_takes_the_config_dicts_completed_with_defaults_over_the_configs) {
  // As transformers' CLIPConfig: text_config_dict replaces every key of text_config, a key it
  // lacks taking CLIPTextConfig's default (intermediate_size 2048, not text_config's 64).
  std::string text = sktest::FixtureConfigText("tiny-clip-hub-bin/0_CLIPModel");
  text = sktest::ReplaceFirst(text, "{", R"({"text_config_dict": {"hidden_size": 32, "num_hidden_layers": 3, "num_attention_heads": 4},
                                             "vision_config_dict": {"image_size": 30, "patch_size": 6, "hidden_size": 64, "num_attention_heads": 2},)");
  sk::model::ClipConfig config;
  const sk::Status status = sk::model::ParseClipConfig(text, "config.json", &config);
  CHECK(status.ok()) << status.message();
  CHECK(config.text.hidden_size == 32 && config.text.num_layers == 3 && config.text.intermediate_size == 2048) << config.text.intermediate_size;
  CHECK(config.eos_token_id == 49407 && config.vision.intermediate_size == 3072 && config.vision.num_layers == 12 && config.image_size == 30);
}

TEST(clip_config_refuses_hostile_values) {
  const std::string text = sktest::FixtureConfigText("tiny-clip");
  CheckRefused(sktest::ReplaceFirst(text, "\"model_type\": \"clip\"", "\"model_type\": \"bert\""), "model_type");
  CheckRefused(sktest::ReplaceFirst(text, "\"patch_size\": 6", "\"patch_size\": 7"), "patch_size");
  CheckRefused(sktest::ReplaceFirst(text, "\"patch_size\": 6", "\"patch_size\": -6"), "patch_size");
  CheckRefused(sktest::ReplaceFirst(text, "\"num_attention_heads\": 2", "\"num_attention_heads\": 3"), "num_attention_heads");
  CheckRefused(sktest::ReplaceFirst(text, "\"projection_dim\": 16,", "\"projection_dim\": 99999999999,"), "projection_dim");
  CheckRefused(sktest::ReplaceFirst(text, "\"hidden_act\": \"quick_gelu\"", "\"hidden_act\": \"swish\""), "hidden_act");
  CheckRefused("[1, 2]", "not a JSON object");
}

TEST(clip_quick_gelu_matches_its_definition) {
  std::vector<float> x = {-9.0f, -1.5f, -0.25f, 0.0f, 0.3f, 1.0f, 4.0f, 20.0f};
  const std::vector<float> input = x;
  sk::cpu::QuickGeluRow(x.data(), x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    const double expected = input[i] / (1.0 + std::exp(-1.702 * input[i]));
    CHECK(std::fabs(x[i] - expected) <= 1e-6 * (1.0 + std::fabs(expected))) << input[i];
  }
}

TEST(clip_text_tower_is_causal_and_pools_at_the_first_end_of_text_token) {
  CheckTailIgnored("tiny-clip", sk::cpu::EnginePrecision::kBf16x3);
  CheckTailIgnored("tiny-clip", sk::cpu::EnginePrecision::kInt8);
  CheckTailIgnored("tiny-clip-hub/0_CLIPModel", sk::cpu::EnginePrecision::kBf16x3);
}
