#include "reference_encoder.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "core/file_util.h"
#include "core/json.h"
#include "model/safetensors_file.h"

namespace sktest {
namespace {

int IntOf(const sk::JsonValue& config, const char* key, int fallback) {
  const sk::JsonValue* value = config.Find(key);
  return value != nullptr && value->is_integer() ? static_cast<int>(value->integer()) : fallback;
}

// y[out] = x[in] · W[out, in]ᵀ + b
std::vector<float> Linear(const std::vector<float>& x, const std::vector<float>& w, const std::vector<float>& b,
                          int rows, int in, int out) {
  std::vector<float> y(static_cast<size_t>(rows) * out);
  for (int r = 0; r < rows; ++r) {
    for (int o = 0; o < out; ++o) {
      double sum = b[o];
      for (int i = 0; i < in; ++i) sum += static_cast<double>(x[r * in + i]) * w[o * in + i];
      y[r * out + o] = static_cast<float>(sum);
    }
  }
  return y;
}

void LayerNorm(std::vector<float>* x, const std::vector<float>& gamma, const std::vector<float>& beta, int rows,
               int hidden, float eps) {
  for (int r = 0; r < rows; ++r) {
    float* row = x->data() + static_cast<size_t>(r) * hidden;
    double mean = 0, var = 0;
    for (int i = 0; i < hidden; ++i) mean += row[i];
    mean /= hidden;
    for (int i = 0; i < hidden; ++i) var += (row[i] - mean) * (row[i] - mean);
    var /= hidden;
    const double inv = 1.0 / std::sqrt(var + eps);
    for (int i = 0; i < hidden; ++i) row[i] = static_cast<float>((row[i] - mean) * inv * gamma[i] + beta[i]);
  }
}

}  // namespace

sk::Status ReferenceEncoder::Load(const std::string& model_dir) {
  std::string text;
  SK_RETURN_IF_ERROR(sk::ReadWholeFile(model_dir + "/config.json", &text));
  sk::JsonValue config;
  SK_RETURN_IF_ERROR(sk::JsonValue::Parse(text, &config));
  hidden_ = IntOf(config, "hidden_size", 0);
  heads_ = IntOf(config, "num_attention_heads", 1);
  layers_ = IntOf(config, "num_hidden_layers", 0);
  intermediate_ = IntOf(config, "intermediate_size", 0);
  vocab_ = IntOf(config, "vocab_size", 0);
  max_position_ = IntOf(config, "max_position_embeddings", 0);
  type_vocab_ = IntOf(config, "type_vocab_size", 2);
  const sk::JsonValue* type = config.Find("model_type");
  const bool roberta = type != nullptr && type->is_string() && type->string() != "bert";
  position_offset_ = roberta ? IntOf(config, "pad_token_id", 1) + 1 : 0;
  mpnet_ = type != nullptr && type->is_string() && type->string() == "mpnet";
  if (mpnet_) {
    type_vocab_ = 0;
    buckets_ = IntOf(config, "relative_attention_num_buckets", 32);
  }
  const sk::JsonValue* eps = config.Find("layer_norm_eps");
  if (eps != nullptr && eps->is_number()) eps_ = static_cast<float>(eps->number());
  const sk::JsonValue* act = config.Find("hidden_act");
  tanh_gelu_ = act != nullptr && act->is_string() && act->string() != "gelu";
  sk::model::SafetensorsFile file;
  SK_RETURN_IF_ERROR(file.Open(model_dir + "/model.safetensors"));
  for (const char* prefix : {"", "bert.", "roberta.", "mpnet.", "model."}) {
    if (file.Has(std::string(prefix) + "embeddings.word_embeddings.weight")) {
      prefix_ = prefix;
      break;
    }
  }
  const int H = hidden_, I = intermediate_;
  auto read = [&](const std::string& name, std::vector<int64_t> shape) -> sk::Status {
    return file.ReadFloat32(prefix_ + name, shape, &weights_[prefix_ + name]);
  };
  SK_RETURN_IF_ERROR(read("embeddings.word_embeddings.weight", {vocab_, H}));
  SK_RETURN_IF_ERROR(read("embeddings.position_embeddings.weight", {max_position_, H}));
  if (type_vocab_ > 0) SK_RETURN_IF_ERROR(read("embeddings.token_type_embeddings.weight", {type_vocab_, H}));
  SK_RETURN_IF_ERROR(read("embeddings.LayerNorm.weight", {H}));
  SK_RETURN_IF_ERROR(read("embeddings.LayerNorm.bias", {H}));
  if (mpnet_) SK_RETURN_IF_ERROR(read("encoder.relative_attention_bias.weight", {buckets_, heads_}));
  for (int l = 0; l < layers_; ++l) {
    const std::string base = "encoder.layer." + std::to_string(l) + ".";
    for (int part = 0; part < 3; ++part) {
      SK_RETURN_IF_ERROR(read(base + QkvName(part) + ".weight", {H, H}));
      SK_RETURN_IF_ERROR(read(base + QkvName(part) + ".bias", {H}));
    }
    SK_RETURN_IF_ERROR(read(base + AttnOutName() + ".weight", {H, H}));
    SK_RETURN_IF_ERROR(read(base + AttnOutName() + ".bias", {H}));
    SK_RETURN_IF_ERROR(read(base + AttnNormName() + ".weight", {H}));
    SK_RETURN_IF_ERROR(read(base + AttnNormName() + ".bias", {H}));
    SK_RETURN_IF_ERROR(read(base + "intermediate.dense.weight", {I, H}));
    SK_RETURN_IF_ERROR(read(base + "intermediate.dense.bias", {I}));
    SK_RETURN_IF_ERROR(read(base + "output.dense.weight", {H, I}));
    SK_RETURN_IF_ERROR(read(base + "output.dense.bias", {H}));
    SK_RETURN_IF_ERROR(read(base + "output.LayerNorm.weight", {H}));
    SK_RETURN_IF_ERROR(read(base + "output.LayerNorm.bias", {H}));
  }
  return sk::Status::Ok();
}

std::string ReferenceEncoder::QkvName(int part) const {
  static const char* bert[] = {"attention.self.query", "attention.self.key", "attention.self.value"};
  static const char* mpnet[] = {"attention.attn.q", "attention.attn.k", "attention.attn.v"};
  return mpnet_ ? mpnet[part] : bert[part];
}
std::string ReferenceEncoder::AttnOutName() const { return mpnet_ ? "attention.attn.o" : "attention.output.dense"; }
std::string ReferenceEncoder::AttnNormName() const { return mpnet_ ? "attention.LayerNorm" : "attention.output.LayerNorm"; }

// transformers' MPNetEncoder.relative_position_bucket (max_distance 128) for key - query.
int ReferenceEncoder::RelativeBucket(int relative_position) const {
  int n = -relative_position;
  const int half = buckets_ / 2;
  int bucket = n < 0 ? half : 0;
  n = std::abs(n);
  const int max_exact = half / 2;
  if (n < max_exact) return bucket + n;
  const float large = std::log(static_cast<float>(n) / static_cast<float>(max_exact)) /
                      static_cast<float>(std::log(128.0 / max_exact)) * static_cast<float>(half - max_exact);
  return bucket + std::min(max_exact + static_cast<int>(large), half - 1);
}

std::vector<float> ReferenceEncoder::Forward(const std::vector<int32_t>& ids) const {
  const int n = static_cast<int>(ids.size()), H = hidden_, I = intermediate_, d = H / heads_;
  std::vector<float> x(static_cast<size_t>(n) * H);
  for (int t = 0; t < n; ++t) {
    for (int i = 0; i < H; ++i) {
      float v = W("embeddings.word_embeddings.weight")[ids[t] * H + i] +
                W("embeddings.position_embeddings.weight")[(position_offset_ + t) * H + i];
      if (type_vocab_ > 0) v += W("embeddings.token_type_embeddings.weight")[i];
      x[t * H + i] = v;
    }
  }
  LayerNorm(&x, W("embeddings.LayerNorm.weight"), W("embeddings.LayerNorm.bias"), n, H, eps_);
  for (int l = 0; l < layers_; ++l) {
    const std::string base = "encoder.layer." + std::to_string(l) + ".";
    const auto q = Linear(x, W(base + QkvName(0) + ".weight"), W(base + QkvName(0) + ".bias"), n, H, H);
    const auto k = Linear(x, W(base + QkvName(1) + ".weight"), W(base + QkvName(1) + ".bias"), n, H, H);
    const auto v = Linear(x, W(base + QkvName(2) + ".weight"), W(base + QkvName(2) + ".bias"), n, H, H);
    std::vector<float> context(static_cast<size_t>(n) * H);
    std::vector<double> scores(n);
    for (int h = 0; h < heads_; ++h) {
      for (int i = 0; i < n; ++i) {
        double max_score = -1e300;
        for (int j = 0; j < n; ++j) {
          double dot = 0;
          for (int e = 0; e < d; ++e) dot += static_cast<double>(q[i * H + h * d + e]) * k[j * H + h * d + e];
          scores[j] = dot / std::sqrt(static_cast<double>(d));
          if (mpnet_) scores[j] += W("encoder.relative_attention_bias.weight")[RelativeBucket(j - i) * heads_ + h];
          max_score = std::max(max_score, scores[j]);
        }
        double total = 0;
        for (int j = 0; j < n; ++j) total += (scores[j] = std::exp(scores[j] - max_score));
        for (int e = 0; e < d; ++e) {
          double sum = 0;
          for (int j = 0; j < n; ++j) sum += scores[j] * v[j * H + h * d + e];
          context[i * H + h * d + e] = static_cast<float>(sum / total);
        }
      }
    }
    auto attn = Linear(context, W(base + AttnOutName() + ".weight"), W(base + AttnOutName() + ".bias"), n, H, H);
    for (size_t i = 0; i < attn.size(); ++i) attn[i] += x[i];
    LayerNorm(&attn, W(base + AttnNormName() + ".weight"), W(base + AttnNormName() + ".bias"), n, H, eps_);
    x = attn;
    auto inter = Linear(x, W(base + "intermediate.dense.weight"), W(base + "intermediate.dense.bias"), n, H, I);
    for (float& value : inter) {
      const double z = value;
      value = static_cast<float>(tanh_gelu_ ? 0.5 * z * (1 + std::tanh(0.7978845608028654 * (z + 0.044715 * z * z * z)))
                                            : 0.5 * z * (1 + std::erf(z / std::sqrt(2.0))));
    }
    auto out = Linear(inter, W(base + "output.dense.weight"), W(base + "output.dense.bias"), n, I, H);
    for (size_t i = 0; i < out.size(); ++i) out[i] += x[i];
    LayerNorm(&out, W(base + "output.LayerNorm.weight"), W(base + "output.LayerNorm.bias"), n, H, eps_);
    x = out;
  }
  return x;
}

}  // namespace sktest
