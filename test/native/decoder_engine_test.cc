// The CPU engine's decoder path (cpu_engine/decoder_encoder.h) on the committed tiny Qwen3
// (test/tools/decoder_fixtures.py: 4 query heads sharing 2 key/value heads, q/k norms, causal):
// each text's last token, normalized, against Python sentence-transformers' embeddings, packed
// in one batch and one at a time, inline and split over the pool. And its config reader's refusals.
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "check.h"
#include "cpu_engine/decoder_config.h"
#include "cpu_engine/decoder_encoder.h"
#include "fixtures.h"

namespace {

struct Texts {
  std::vector<std::vector<int32_t>> ids;
  std::vector<std::vector<double>> embeddings;
};

Texts QwenReference() {
  const sk::JsonValue reference = sktest::ReadFixtureJson("tiny-qwen3.reference.json");
  Texts texts;
  for (const sk::JsonValue& ids : reference.Find("input_ids")->array()) {
    std::vector<int32_t>& row = texts.ids.emplace_back();
    for (int64_t id : sktest::IntArray(ids)) row.push_back(static_cast<int32_t>(id));
  }
  for (const sk::JsonValue& embedding : reference.Find("embeddings")->array()) {
    std::vector<double>& row = texts.embeddings.emplace_back();
    for (const sk::JsonValue& value : embedding.array()) row.push_back(value.number());
  }
  return texts;
}

// Runs texts [begin, end) as one packed batch; returns each one's normalized last token.
std::vector<std::vector<double>> LastTokens(sk::cpu::EngineEncoder& engine, const Texts& texts, size_t begin, size_t end,
                                            bool split) {
  std::vector<int32_t> ids, offsets{0};
  for (size_t i = begin; i < end; ++i) {
    ids.insert(ids.end(), texts.ids[i].begin(), texts.ids[i].end());
    offsets.push_back(static_cast<int32_t>(ids.size()));
  }
  const sk::cpu::PackedSequences batch{ids.data(), nullptr, offsets.data(), end - begin};
  const float* hidden = nullptr;
  const sk::Status status = engine.Forward(batch, 0, split, &hidden);
  CHECK(status.ok()) << status.message();
  std::vector<std::vector<double>> rows;
  if (!status.ok()) return rows;
  const size_t H = static_cast<size_t>(engine.config().hidden_size);
  for (size_t s = 0; s + 1 < offsets.size(); ++s) {
    const float* last = hidden + (static_cast<size_t>(offsets[s + 1]) - 1) * H;
    double norm = 0;
    for (size_t c = 0; c < H; ++c) norm += static_cast<double>(last[c]) * last[c];
    std::vector<double>& row = rows.emplace_back();
    for (size_t c = 0; c < H; ++c) row.push_back(last[c] / std::sqrt(norm));
  }
  return rows;
}

TEST(decoder_engine_matches_sentence_transformers_qwen3) {
  const Texts texts = QwenReference();
  CHECK(texts.ids.size() == texts.embeddings.size() && texts.ids.size() > 20);
  for (sk::cpu::EnginePrecision precision : {sk::cpu::EnginePrecision::kBf16x3, sk::cpu::EnginePrecision::kInt8}) {
    const bool bf16x3 = precision == sk::cpu::EnginePrecision::kBf16x3;
    std::unique_ptr<sk::cpu::EngineEncoder> engine;
    bool handled = false;
    sk::cpu::EngineLoadOptions options;
    options.threads = 2;
    options.precision = precision;
    const sk::Status loaded = sk::cpu::LoadDecoderEngine(sktest::FixturePath("tiny-qwen3"), options, &engine, &handled);
    CHECK(loaded.ok() && handled) << loaded.message();
    if (!loaded.ok() || !handled) return;
    CHECK(engine->config().hidden_size == 32 && engine->config().model_type == "qwen3");
    double worst = 0, worst_cosine = 1;
    for (int mode = 0; mode < 3; ++mode) {
      // 0: one batch of every text, inline; 1: split over the pool; 2: each text alone.
      std::vector<std::vector<double>> rows;
      if (mode < 2) {
        rows = LastTokens(*engine, texts, 0, texts.ids.size(), mode == 1);
      } else {
        for (size_t i = 0; i < texts.ids.size(); ++i) rows.push_back(LastTokens(*engine, texts, i, i + 1, false).at(0));
      }
      CHECK(rows.size() == texts.embeddings.size());
      for (size_t i = 0; i < rows.size() && i < texts.embeddings.size(); ++i) {
        double dot = 0;
        for (size_t c = 0; c < rows[i].size(); ++c) {
          worst = sktest::MaxOrNan(worst, std::fabs(rows[i][c] - texts.embeddings[i][c]));
          dot += rows[i][c] * texts.embeddings[i][c];
        }
        worst_cosine = sktest::MinOrNan(worst_cosine, dot);
      }
    }
    std::cout << "  " << (bf16x3 ? "bf16x3" : "int8") << ": max |diff| " << worst << ", min cosine " << worst_cosine << "\n";
    if (bf16x3) {
      CHECK(worst <= 1e-5) << "bf16x3 max |diff| " << worst;
    } else {
      CHECK(worst_cosine >= 0.999) << "int8 min cosine " << worst_cosine;
    }
  }
}

TEST(decoder_engine_refuses_bad_batches) {
  std::unique_ptr<sk::cpu::EngineEncoder> engine;
  bool handled = false;
  CHECK(sk::cpu::LoadDecoderEngine(sktest::FixturePath("tiny-qwen3"), {}, &engine, &handled).ok() && handled);
  if (!engine) return;
  const float* hidden = nullptr;
  std::vector<int32_t> ids{1, 2, 999999}, offsets{0, 3};
  CHECK(!engine->Forward({ids.data(), nullptr, offsets.data(), 1}, 0, false, &hidden).ok());
  ids[2] = -1;
  CHECK(!engine->Forward({ids.data(), nullptr, offsets.data(), 1}, 0, false, &hidden).ok());
  ids[2] = 3;
  CHECK(!engine->Forward({ids.data(), nullptr, offsets.data(), 1}, 99, false, &hidden).ok());
  CHECK(engine->Forward({ids.data(), nullptr, offsets.data(), 1}, 0, false, &hidden).ok());
  // An encoder folder is not the decoder path's.
  std::unique_ptr<sk::cpu::EngineEncoder> other;
  CHECK(sk::cpu::LoadDecoderEngine(sktest::FixturePath("tiny-bert"), {}, &other, &handled).ok() && !handled && !other);
}

sk::Status Parse(const std::string& json, sk::cpu::DecoderConfig* out) { return sk::cpu::ParseDecoderConfig(json, "config.json", out); }

TEST(decoder_config_reads_qwen3_and_gemma3_and_refuses_the_rest) {
  sk::cpu::DecoderConfig config;
  const std::string shape = R"("vocab_size": 100, "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 64)";
  // Qwen3 as released: rope_theta at the top, head_dim its own, GQA.
  CHECK(Parse(R"({"model_type": "qwen3", )" + shape + R"(, "num_key_value_heads": 2, "head_dim": 16, "rope_theta": 1000000})", &config).ok());
  CHECK(config.head_dim == 16 && config.num_kv_heads == 2 && config.rope_theta == 1e6 && config.causal && config.norm_weight_offset == 0.0f);
  CHECK(config.query_width() == 64 && config.kv_width() == 32 && config.activation == sk::cpu::GateActivation::kSilu);
  CHECK(std::none_of(config.sliding.begin(), config.sliding.end(), [](uint8_t s) { return s != 0; }));
  // transformers 5's rope_parameters.
  CHECK(Parse(R"({"model_type": "qwen3", )" + shape + R"(, "rope_parameters": {"rope_type": "default", "rope_theta": 5000}})", &config).ok());
  CHECK(config.rope_theta == 5000 && config.head_dim == 8);
  // EmbeddingGemma's: bidirectional, sliding every layer but each 6th, (1 + w) norms, sqrt(hidden) scale.
  CHECK(Parse(R"({"model_type": "gemma3_text", )" + shape + R"(, "num_key_value_heads": 1, "head_dim": 8, "sliding_window": 10,
                  "use_bidirectional_attention": true, "query_pre_attn_scalar": 16, "layer_types": ["sliding_attention", "full_attention"],
                  "rope_parameters": {"full_attention": {"rope_type": "default", "rope_theta": 1000000},
                                      "sliding_attention": {"rope_type": "default", "rope_theta": 10000}}})", &config).ok());
  CHECK(!config.causal && config.sliding == std::vector<uint8_t>({1, 0}) && config.sliding_before == 5 && config.sliding_after == 5);
  CHECK(config.rope_theta == 1e6 && config.local_rope_theta == 1e4 && config.norm_weight_offset == 1.0f && config.sandwich_norms);
  CHECK(std::fabs(config.attention_scale - 0.25f) < 1e-7f && std::fabs(config.embedding_scale - std::sqrt(32.0f)) < 1e-5f);
  CHECK(config.activation == sk::cpu::GateActivation::kGeluTanh);
  // Causal Gemma 3 (the LM): key j seen when i - window < j <= i.
  CHECK(Parse(R"({"model_type": "gemma3_text", )" + shape + R"(, "sliding_window": 10, "layer_types": ["sliding_attention", "full_attention"]})", &config).ok());
  CHECK(config.causal && config.sliding_before == 9 && config.sliding_after == 0);
  // Refusals, each a typed error rather than a wrong model.
  const std::string too_many_layers = R"({"model_type": "qwen3", "vocab_size": 100, "hidden_size": 32, "num_hidden_layers": 4294967296,
                                         "num_attention_heads": 4, "intermediate_size": 64})";
  for (const std::string& bad : std::vector<std::string>{
           R"({"model_type": "llama", )" + shape + "}",
           R"({"model_type": "qwen3", )" + shape + R"(, "num_key_value_heads": 3})",
           R"({"model_type": "qwen3", )" + shape + R"(, "head_dim": 7})",
           R"({"model_type": "qwen3", )" + shape + R"(, "hidden_act": "relu2"})",
           R"({"model_type": "qwen3", )" + shape + R"(, "rope_scaling": {"rope_type": "yarn", "factor": 4}})",
           R"({"model_type": "qwen3", )" + shape + R"(, "layer_types": ["full_attention"]})",
           too_many_layers,
           R"({"model_type": "qwen3", )" + shape + R"(, "rms_norm_eps": -1})",
           R"({"model_type": "gemma3_text", )" + shape + R"(, "attn_logit_softcapping": 50})",
           R"({"model_type": "qwen3", "hidden_size": 32})",
           R"([1, 2])",
       }) {
    const sk::Status status = Parse(bad, &config);
    CHECK(!status.ok() && status.code() == sk::StatusCode::kModelLoad) << bad << ": " << status.message();
  }
}

}  // namespace
