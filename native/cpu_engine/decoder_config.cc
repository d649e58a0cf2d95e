#include "cpu_engine/decoder_config.h"

#include <cmath>
#include <limits>

#include "core/file_util.h"
#include "core/json.h"
#include "model/encoder_config.h"

namespace sk::cpu {
namespace {

// config.json's fields, each refused with a typed error when present with the wrong type.
class Fields {
 public:
  Fields(const JsonValue& config, const std::string& path) : config_(config), path_(path) {}

  Status Int(const char* key, bool required, int fallback, int* out) const {
    const JsonValue* value = config_.Find(key);
    if (value == nullptr || value->is_null()) {
      *out = fallback;
      return required ? ModelLoadError(path_ + ": no \"" + key + "\"") : Status::Ok();
    }
    if (!value->is_integer() || value->integer() < 0 || value->integer() > std::numeric_limits<int>::max()) {
      return ModelLoadError(path_ + ": \"" + key + "\" is not a non-negative integer in the range of int32");
    }
    *out = static_cast<int>(value->integer());
    return Status::Ok();
  }

  Status Number(const JsonValue* value, const std::string& key, double fallback, double* out) const {
    if (value == nullptr || value->is_null()) {
      *out = fallback;
      return Status::Ok();
    }
    if (!value->is_number() || !std::isfinite(value->number()) || !(value->number() > 0.0)) {
      return ModelLoadError(path_ + ": \"" + key + "\" is not a positive number");
    }
    *out = value->number();
    return Status::Ok();
  }

  Status Bool(const char* key, bool fallback, bool* out) const {
    const JsonValue* value = config_.Find(key);
    if (value == nullptr || value->is_null()) {
      *out = fallback;
      return Status::Ok();
    }
    if (!value->is_bool()) return ModelLoadError(path_ + ": \"" + key + "\" is not true or false");
    *out = value->bool_value();
    return Status::Ok();
  }

  Status Text(const char* key, const char* fallback, std::string* out) const {
    const JsonValue* value = config_.Find(key);
    if (value == nullptr || value->is_null()) {
      *out = fallback;
      return Status::Ok();
    }
    if (!value->is_string()) return ModelLoadError(path_ + ": \"" + key + "\" is not a string");
    *out = value->string();
    return Status::Ok();
  }

  // A rope entry: {"rope_type": "default" | "linear", "rope_theta": …, "factor": …}; other
  // types change the frequencies in ways the engine does not compute, so they are refused.
  Status Rope(const JsonValue& entry, const std::string& key, double* theta, double* factor) const {
    if (!entry.is_object()) return ModelLoadError(path_ + ": \"" + key + "\" is not an object");
    const JsonValue* type = entry.Find("rope_type");
    if (type == nullptr || type->is_null()) type = entry.Find("type");
    const std::string kind = type != nullptr && type->is_string() ? type->string() : "default";
    if (kind != "default" && kind != "linear") {
      return ModelLoadError(path_ + ": rope_type \"" + kind + "\" in \"" + key + "\" is not supported by the native engines");
    }
    SK_RETURN_IF_ERROR(Number(entry.Find("rope_theta"), key + ".rope_theta", *theta, theta));
    if (factor != nullptr) SK_RETURN_IF_ERROR(Number(entry.Find("factor"), key + ".factor", 1.0, factor));
    if (factor != nullptr && kind == "default") *factor = 1.0;
    return Status::Ok();
  }

 private:
  const JsonValue& config_;
  const std::string& path_;
};

Status ParseActivation(const std::string& name, const std::string& path, GateActivation* out) {
  if (name == "silu" || name == "swish") {
    *out = GateActivation::kSilu;
  } else if (name == "gelu") {
    *out = GateActivation::kGeluErf;
  } else if (name == "gelu_pytorch_tanh" || name == "gelu_new" || name == "gelu_fast") {
    *out = GateActivation::kGeluTanh;
  } else {
    return ModelLoadError(path + ": activation \"" + name + "\" is not supported by the native engines");
  }
  return Status::Ok();
}

// Sliding layers from layer_types, or Qwen's older use_sliding_window / max_window_layers, or
// Gemma 3's sliding_window_pattern (every pattern-th layer global).
Status ReadLayerTypes(const JsonValue& config, const Fields& fields, const std::string& path, DecoderConfig* out) {
  bool listed = false;
  SK_RETURN_IF_ERROR(model::ReadLayerTypes(config, out->num_layers, path, &out->sliding, &listed));
  if (listed) return Status::Ok();
  out->sliding.assign(static_cast<size_t>(out->num_layers), 0);
  if (out->is_gemma3()) {
    int pattern = 6;
    SK_RETURN_IF_ERROR(fields.Int("sliding_window_pattern", false, 6, &pattern));
    for (size_t l = 0; l < out->sliding.size(); ++l) out->sliding[l] = pattern > 0 && (l + 1) % pattern != 0 ? 1 : 0;
    return Status::Ok();
  }
  bool use_sliding = false;
  int max_window_layers = 0;
  SK_RETURN_IF_ERROR(fields.Bool("use_sliding_window", false, &use_sliding));
  SK_RETURN_IF_ERROR(fields.Int("max_window_layers", false, 0, &max_window_layers));
  for (size_t l = 0; l < out->sliding.size(); ++l) out->sliding[l] = use_sliding && static_cast<int>(l) >= max_window_layers ? 1 : 0;
  return Status::Ok();
}

Status ReadRope(const JsonValue& config, const Fields& fields, const std::string& path, DecoderConfig* out) {
  const bool gemma = out->is_gemma3();
  out->rope_theta = gemma ? 1000000.0 : 10000.0;
  out->local_rope_theta = 10000.0;
  SK_RETURN_IF_ERROR(fields.Number(config.Find("rope_theta"), "rope_theta", out->rope_theta, &out->rope_theta));
  SK_RETURN_IF_ERROR(fields.Number(config.Find("rope_local_base_freq"), "rope_local_base_freq", out->local_rope_theta,
                                   &out->local_rope_theta));
  const JsonValue* scaling = config.Find("rope_scaling");
  if (scaling != nullptr && !scaling->is_null()) {
    double unused_theta = out->rope_theta;
    SK_RETURN_IF_ERROR(fields.Rope(*scaling, "rope_scaling", &unused_theta, &out->rope_factor));
  }
  const JsonValue* parameters = config.Find("rope_parameters");
  if (parameters == nullptr || parameters->is_null()) return Status::Ok();
  if (!parameters->is_object()) return ModelLoadError(path + ": rope_parameters is not an object");
  const JsonValue* full = parameters->Find("full_attention");
  const JsonValue* local = parameters->Find("sliding_attention");
  if (full == nullptr && local == nullptr) {
    // One entry for every layer (Qwen3).
    SK_RETURN_IF_ERROR(fields.Rope(*parameters, "rope_parameters", &out->rope_theta, &out->rope_factor));
    out->local_rope_theta = out->rope_theta;
    return Status::Ok();
  }
  if (full != nullptr) SK_RETURN_IF_ERROR(fields.Rope(*full, "rope_parameters.full_attention", &out->rope_theta, &out->rope_factor));
  if (local != nullptr) {
    double local_factor = 1.0;
    SK_RETURN_IF_ERROR(fields.Rope(*local, "rope_parameters.sliding_attention", &out->local_rope_theta, &local_factor));
    if (local_factor != 1.0) return ModelLoadError(path + ": rope scaling on sliding layers is not supported by the native engines");
  }
  return Status::Ok();
}

}  // namespace

bool IsDecoderModelType(std::string_view model_type) { return model_type == "qwen3" || model_type == "gemma3_text"; }

Status ReadModelType(const std::string& path, std::string* model_type) {
  std::string text;
  SK_RETURN_IF_ERROR(ReadWholeFile(path, &text));
  JsonValue config;
  SK_RETURN_IF_ERROR(JsonValue::Parse(text, &config));
  const JsonValue* type = config.is_object() ? config.Find("model_type") : nullptr;
  *model_type = type != nullptr && type->is_string() ? type->string() : "";
  return Status::Ok();
}

Status ReadDecoderConfig(const std::string& path, DecoderConfig* out) {
  std::string text;
  SK_RETURN_IF_ERROR(ReadWholeFile(path, &text));
  return ParseDecoderConfig(text, path, out);
}

Status ParseDecoderConfig(std::string_view text, const std::string& path, DecoderConfig* out) {
  JsonValue config;
  const Status parsed = JsonValue::Parse(text, &config);
  if (!parsed.ok()) return ModelLoadError(path + ": " + parsed.message());
  if (!config.is_object()) return ModelLoadError(path + ": not a JSON object");
  const JsonValue* type = config.Find("model_type");
  out->model_type = type != nullptr && type->is_string() ? type->string() : "";
  if (!IsDecoderModelType(out->model_type)) {
    return ModelLoadError(path + ": model_type \"" + out->model_type + "\" is not a decoder the native engines run (qwen3, gemma3_text)");
  }
  const Fields fields(config, path);
  const bool gemma = out->is_gemma3();
  SK_RETURN_IF_ERROR(fields.Int("vocab_size", true, 0, &out->vocab_size));
  SK_RETURN_IF_ERROR(fields.Int("hidden_size", true, 0, &out->hidden_size));
  SK_RETURN_IF_ERROR(fields.Int("num_hidden_layers", true, 0, &out->num_layers));
  SK_RETURN_IF_ERROR(fields.Int("num_attention_heads", true, 0, &out->num_heads));
  SK_RETURN_IF_ERROR(fields.Int("num_key_value_heads", false, out->num_heads, &out->num_kv_heads));
  SK_RETURN_IF_ERROR(fields.Int("head_dim", false, out->num_heads > 0 ? out->hidden_size / out->num_heads : 0, &out->head_dim));
  SK_RETURN_IF_ERROR(fields.Int("intermediate_size", true, 0, &out->intermediate_size));
  SK_RETURN_IF_ERROR(fields.Int("max_position_embeddings", false, gemma ? 131072 : 32768, &out->max_position_embeddings));
  double eps = 1e-6;
  SK_RETURN_IF_ERROR(fields.Number(config.Find("rms_norm_eps"), "rms_norm_eps", 1e-6, &eps));
  out->rms_norm_eps = static_cast<float>(eps);
  SK_RETURN_IF_ERROR(fields.Bool("attention_bias", false, &out->attention_bias));
  std::string activation;
  SK_RETURN_IF_ERROR(fields.Text(gemma ? "hidden_activation" : "hidden_act", gemma ? "gelu_pytorch_tanh" : "silu", &activation));
  SK_RETURN_IF_ERROR(ParseActivation(activation, path, &out->activation));
  if (out->hidden_size <= 0 || out->num_heads <= 0 || out->num_kv_heads <= 0 || out->num_heads % out->num_kv_heads != 0 ||
      out->head_dim <= 0 || out->head_dim % 2 != 0 || out->num_layers <= 0 || out->intermediate_size <= 0 ||
      out->vocab_size <= 0 || out->max_position_embeddings <= 0) {
    return ModelLoadError(path + ": inconsistent decoder shape");
  }
  SK_RETURN_IF_ERROR(ReadRope(config, fields, path, out));
  SK_RETURN_IF_ERROR(ReadLayerTypes(config, fields, path, out));
  int window = 0;
  SK_RETURN_IF_ERROR(fields.Int("sliding_window", false, 0, &window));
  bool bidirectional = false;
  SK_RETURN_IF_ERROR(fields.Bool("use_bidirectional_attention", false, &bidirectional));
  if (bidirectional && !gemma) return ModelLoadError(path + ": use_bidirectional_attention is only read for Gemma 3");
  out->causal = !bidirectional;
  if (window <= 0) {
    for (uint8_t& sliding : out->sliding) sliding = 0;  // no window: every layer full
  } else if (bidirectional) {
    // transformers' Gemma3TextConfig keeps sliding_window // 2 + 1 as an exclusive bound on |i - j|.
    out->sliding_before = out->sliding_after = static_cast<size_t>(window / 2);
  } else {
    // Causal sliding: key j is seen when i - window < j <= i.
    out->sliding_before = static_cast<size_t>(window - 1);
    out->sliding_after = 0;
  }
  out->attention_scale = static_cast<float>(std::pow(static_cast<double>(out->head_dim), -0.5));  // head_dim**-0.5
  if (gemma) {
    int scalar = out->head_dim;
    SK_RETURN_IF_ERROR(fields.Int("query_pre_attn_scalar", false, out->head_dim, &scalar));
    if (scalar <= 0) return ModelLoadError(path + ": query_pre_attn_scalar must be positive");
    out->attention_scale = static_cast<float>(std::pow(static_cast<double>(scalar), -0.5));
    const JsonValue* softcap = config.Find("attn_logit_softcapping");
    if (softcap != nullptr && !softcap->is_null()) {
      return ModelLoadError(path + ": attn_logit_softcapping is not supported by the native engines");
    }
    out->norm_weight_offset = 1.0f;
    out->embedding_scale = static_cast<float>(std::sqrt(static_cast<double>(out->hidden_size)));
    out->sandwich_norms = true;
  }
  return Status::Ok();
}

}  // namespace sk::cpu
