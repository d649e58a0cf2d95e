#include "model/encoder_config.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/file_util.h"
#include "core/json.h"

namespace sk::model {
namespace {

Status ReadInt(const JsonValue& config, const char* key, bool required, int fallback, int* out,
               const std::string& path) {
  const JsonValue* value = config.Find(key);
  if (value == nullptr || value->is_null()) {
    if (required) return ModelLoadError(path + ": no \"" + key + "\"");
    *out = fallback;
    return Status::Ok();
  }
  // Every shape the engines index is an int: a wider value is refused, never truncated into
  // another one.
  if (!value->is_integer() || value->integer() < std::numeric_limits<int>::min() ||
      value->integer() > std::numeric_limits<int>::max()) {
    return ModelLoadError(path + ": \"" + key + "\" is not an integer in the range of int32");
  }
  *out = static_cast<int>(value->integer());
  return Status::Ok();
}

}  // namespace

Status ReadLayerTypes(const JsonValue& config, int num_layers, const std::string& path, std::vector<uint8_t>* sliding,
                      bool* listed) {
  const JsonValue* types = config.Find("layer_types");
  *listed = types != nullptr && !types->is_null();
  if (!*listed) return Status::Ok();
  // Bounded by the file: one entry per layer, each checked.
  if (!types->is_array() || types->array().size() != static_cast<size_t>(std::max(num_layers, 0))) {
    return ModelLoadError(path + ": layer_types is not a list of num_hidden_layers entries");
  }
  sliding->clear();
  for (const JsonValue& type : types->array()) {
    if (!type.is_string() || (type.string() != "full_attention" && type.string() != "sliding_attention")) {
      return ModelLoadError(path + ": layer_types holds an entry other than \"full_attention\" or \"sliding_attention\"");
    }
    sliding->push_back(type.string() == "sliding_attention" ? 1 : 0);
  }
  return Status::Ok();
}

Status ReadEncoderConfig(const std::string& path, EncoderConfig* out) {
  std::string text;
  SK_RETURN_IF_ERROR(ReadWholeFile(path, &text));
  return ParseEncoderConfig(text, path, out);
}

namespace {

Status ReadBool(const JsonValue& config, const char* key, bool fallback, bool* out, const std::string& path) {
  const JsonValue* value = config.Find(key);
  if (value == nullptr || value->is_null()) {
    *out = fallback;
    return Status::Ok();
  }
  if (!value->is_bool()) return ModelLoadError(path + ": \"" + key + "\" is not true or false");
  *out = value->bool_value();
  return Status::Ok();
}

Status ReadString(const JsonValue& config, const char* key, const char* fallback, std::string* out, const std::string& path) {
  const JsonValue* value = config.Find(key);
  if (value == nullptr || value->is_null()) {
    *out = fallback;
    return Status::Ok();
  }
  if (!value->is_string()) return ModelLoadError(path + ": \"" + key + "\" is not a string");
  *out = value->string();
  return Status::Ok();
}

// transformers' ACT2FN names the engines implement.
Status ParseActivation(const std::string& name, const char* key, Activation* out, const std::string& path) {
  if (name == "gelu") {
    *out = Activation::kGeluErf;
  } else if (name == "gelu_new" || name == "gelu_pytorch_tanh") {
    *out = Activation::kGeluTanh;
  } else if (name == "relu") {
    *out = Activation::kRelu;
  } else {
    return ModelLoadError(path + ": " + key + " \"" + name + "\" is not supported by the native engines");
  }
  return Status::Ok();
}

// A rotary base: a finite positive number.
Status ReadTheta(const JsonValue* value, const char* key, double* out, const std::string& path) {
  if (value == nullptr || value->is_null()) return Status::Ok();  // keeps the default
  if (!value->is_number() || !(value->number() > 0.0) || !std::isfinite(value->number())) {
    return ModelLoadError(path + ": \"" + key + "\" is not a positive number");
  }
  *out = value->number();
  return Status::Ok();
}

// One layer kind's rope_parameters entry (transformers 5 writes them; older files
// global_rope_theta / local_rope_theta): only the default rotary, no scaling.
Status ReadRopeEntry(const JsonValue& parameters, const char* kind, double* theta, const std::string& path) {
  const JsonValue* entry = parameters.Find(kind);
  if (entry == nullptr || entry->is_null()) return Status::Ok();
  if (!entry->is_object()) return ModelLoadError(path + ": rope_parameters." + kind + " is not an object");
  const JsonValue* type = entry->Find("rope_type");
  if (type != nullptr && !type->is_null() && !(type->is_string() && type->string() == "default")) {
    return ModelLoadError(path + ": rope_parameters." + kind + " asks for a rope_type other than \"default\", which the native engines do not implement");
  }
  return ReadTheta(entry->Find("rope_theta"), "rope_theta", theta, path);
}

Status ParseModernBert(const JsonValue& config, const std::string& path, EncoderConfig* out) {
  ModernBertSettings& settings = out->modernbert;
  SK_RETURN_IF_ERROR(ReadInt(config, "vocab_size", true, 0, &out->vocab_size, path));
  SK_RETURN_IF_ERROR(ReadInt(config, "hidden_size", true, 0, &out->hidden_size, path));
  SK_RETURN_IF_ERROR(ReadInt(config, "num_hidden_layers", true, 0, &out->num_layers, path));
  SK_RETURN_IF_ERROR(ReadInt(config, "num_attention_heads", true, 0, &out->num_heads, path));
  SK_RETURN_IF_ERROR(ReadInt(config, "intermediate_size", true, 0, &out->intermediate_size, path));
  SK_RETURN_IF_ERROR(ReadInt(config, "max_position_embeddings", false, 8192, &out->max_position_embeddings, path));
  SK_RETURN_IF_ERROR(ReadInt(config, "pad_token_id", false, 50283, &out->pad_token_id, path));
  out->type_vocab_size = 0;
  out->position_offset = 0;
  const JsonValue* eps = config.Find("norm_eps");
  out->layer_norm_eps = eps != nullptr && eps->is_number() ? static_cast<float>(eps->number()) : 1e-5f;
  std::string name;
  SK_RETURN_IF_ERROR(ReadString(config, "hidden_activation", "gelu", &name, path));
  SK_RETURN_IF_ERROR(ParseActivation(name, "hidden_activation", &out->activation, path));
  if (out->activation == Activation::kRelu) {
    return ModelLoadError(path + ": hidden_activation \"relu\" in ModernBERT's GeGLU is not supported by the native engines");
  }
  SK_RETURN_IF_ERROR(ReadBool(config, "norm_bias", false, &settings.norm_bias, path));
  SK_RETURN_IF_ERROR(ReadBool(config, "attention_bias", false, &settings.attention_bias, path));
  SK_RETURN_IF_ERROR(ReadBool(config, "mlp_bias", false, &settings.mlp_bias, path));
  SK_RETURN_IF_ERROR(ReadBool(config, "classifier_bias", false, &settings.classifier_bias, path));
  SK_RETURN_IF_ERROR(ReadString(config, "classifier_activation", "gelu", &name, path));
  SK_RETURN_IF_ERROR(ParseActivation(name, "classifier_activation", &settings.classifier_activation, path));
  SK_RETURN_IF_ERROR(ReadString(config, "classifier_pooling", "cls", &name, path));
  if (name != "cls" && name != "mean") return ModelLoadError(path + ": classifier_pooling \"" + name + "\" is neither \"cls\" nor \"mean\"");
  settings.classifier_mean = name == "mean";
  int local_attention = 128;
  SK_RETURN_IF_ERROR(ReadInt(config, "local_attention", false, 128, &local_attention, path));
  if (local_attention < 0) return ModelLoadError(path + ": local_attention must not be negative");
  settings.half_window = local_attention / 2;
  SK_RETURN_IF_ERROR(ReadInt(config, "global_attn_every_n_layers", false, 3, &settings.global_every, path));
  if (settings.global_every <= 0) return ModelLoadError(path + ": global_attn_every_n_layers must be positive");
  settings.sliding.clear();
  bool listed = false;
  SK_RETURN_IF_ERROR(ReadLayerTypes(config, out->num_layers, path, &settings.sliding, &listed));
  const JsonValue* scaling = config.Find("rope_scaling");
  if (scaling != nullptr && !scaling->is_null()) {
    return ModelLoadError(path + ": rope_scaling is not supported by the native engines");
  }
  SK_RETURN_IF_ERROR(ReadTheta(config.Find("global_rope_theta"), "global_rope_theta", &settings.global_rope_theta, path));
  SK_RETURN_IF_ERROR(ReadTheta(config.Find("local_rope_theta"), "local_rope_theta", &settings.local_rope_theta, path));
  const JsonValue* rope = config.Find("rope_parameters");
  if (rope != nullptr && !rope->is_null()) {
    if (!rope->is_object()) return ModelLoadError(path + ": rope_parameters is not an object");
    SK_RETURN_IF_ERROR(ReadRopeEntry(*rope, "full_attention", &settings.global_rope_theta, path));
    SK_RETURN_IF_ERROR(ReadRopeEntry(*rope, "sliding_attention", &settings.local_rope_theta, path));
  }
  if (out->hidden_size > 0 && out->num_heads > 0 && (out->hidden_size / out->num_heads) % 2 != 0) {
    return ModelLoadError(path + ": ModernBERT's rotary needs an even attention head size");
  }
  return Status::Ok();
}

Status ParseDistilBert(const JsonValue& config, const std::string& path, EncoderConfig* out) {
  SK_RETURN_IF_ERROR(ReadInt(config, "vocab_size", true, 0, &out->vocab_size, path));
  SK_RETURN_IF_ERROR(ReadInt(config, "dim", true, 0, &out->hidden_size, path));
  SK_RETURN_IF_ERROR(ReadInt(config, "n_layers", true, 0, &out->num_layers, path));
  SK_RETURN_IF_ERROR(ReadInt(config, "n_heads", true, 0, &out->num_heads, path));
  SK_RETURN_IF_ERROR(ReadInt(config, "hidden_dim", true, 0, &out->intermediate_size, path));
  SK_RETURN_IF_ERROR(ReadInt(config, "max_position_embeddings", false, 512, &out->max_position_embeddings, path));
  SK_RETURN_IF_ERROR(ReadInt(config, "pad_token_id", false, 0, &out->pad_token_id, path));
  out->type_vocab_size = 0;  // no token-type embedding
  out->position_offset = 0;
  out->layer_norm_eps = 1e-12f;  // fixed in transformers' DistilBERT
  SK_RETURN_IF_ERROR(ReadBool(config, "sinusoidal_pos_embds", false, &out->sinusoidal_positions, path));
  std::string activation;
  SK_RETURN_IF_ERROR(ReadString(config, "activation", "gelu", &activation, path));
  return ParseActivation(activation, "activation", &out->activation, path);
}

Status ParseBertFamily(const JsonValue& config, const std::string& path, EncoderConfig* out) {
  out->position_offset = out->model_type == "bert" ? 0 : -1;  // the others: set from pad_token_id below
  SK_RETURN_IF_ERROR(ReadInt(config, "vocab_size", true, 0, &out->vocab_size, path));
  SK_RETURN_IF_ERROR(ReadInt(config, "hidden_size", true, 0, &out->hidden_size, path));
  SK_RETURN_IF_ERROR(ReadInt(config, "num_hidden_layers", true, 0, &out->num_layers, path));
  SK_RETURN_IF_ERROR(ReadInt(config, "num_attention_heads", true, 0, &out->num_heads, path));
  SK_RETURN_IF_ERROR(ReadInt(config, "intermediate_size", true, 0, &out->intermediate_size, path));
  SK_RETURN_IF_ERROR(ReadInt(config, "max_position_embeddings", true, 0, &out->max_position_embeddings, path));
  SK_RETURN_IF_ERROR(ReadInt(config, "type_vocab_size", false, 2, &out->type_vocab_size, path));
  if (out->model_type == "mpnet") {
    out->type_vocab_size = 0;  // MPNet has no token-type embedding
    SK_RETURN_IF_ERROR(ReadInt(config, "relative_attention_num_buckets", false, 32, &out->relative_buckets, path));
    // MPNet's bucketing is logarithmic between a quarter of the buckets and 128 positions apart.
    if (out->relative_buckets < 4 || out->relative_buckets > 256) {
      return ModelLoadError(path + ": relative_attention_num_buckets must be from 4 to 256");
    }
  }
  SK_RETURN_IF_ERROR(ReadInt(config, "pad_token_id", false, out->model_type == "bert" ? 0 : 1, &out->pad_token_id, path));
  if (out->position_offset < 0) {
    // Positions start past the padding index: a negative one would index before the table.
    if (out->pad_token_id < 0 || out->pad_token_id >= out->max_position_embeddings) {
      return ModelLoadError(path + ": pad_token_id " + std::to_string(out->pad_token_id) +
                            " cannot start the position table of " + out->model_type);
    }
    out->position_offset = out->pad_token_id + 1;
  }
  const JsonValue* eps = config.Find("layer_norm_eps");
  if (eps != nullptr && eps->is_number()) out->layer_norm_eps = static_cast<float>(eps->number());
  const JsonValue* act = config.Find("hidden_act");
  const std::string activation = act != nullptr && act->is_string() ? act->string() : "gelu";
  return ParseActivation(activation, "hidden_act", &out->activation, path);
}

}  // namespace

Status ParseEncoderConfig(std::string_view text, const std::string& path, EncoderConfig* out) {
  JsonValue config;
  const Status parsed = JsonValue::Parse(text, &config);
  if (!parsed.ok()) return ModelLoadError(path + ": " + parsed.message());
  if (!config.is_object()) return ModelLoadError(path + ": not a JSON object");
  const JsonValue* type = config.Find("model_type");
  out->model_type = type != nullptr && type->is_string() ? type->string() : "";
  if (out->model_type == "bert" || out->model_type == "roberta" || out->model_type == "xlm-roberta" ||
      out->model_type == "mpnet") {
    SK_RETURN_IF_ERROR(ParseBertFamily(config, path, out));
  } else if (out->is_distilbert()) {
    SK_RETURN_IF_ERROR(ParseDistilBert(config, path, out));
  } else if (out->is_modernbert()) {
    SK_RETURN_IF_ERROR(ParseModernBert(config, path, out));
  } else {
    return ModelLoadError(path + ": model_type \"" + out->model_type + "\" is not supported by the native engines yet " +
                          "(they run bert, roberta, xlm-roberta, mpnet, distilbert, modernbert, qwen3 and gemma3_text)");
  }
  if (!(out->layer_norm_eps > 0.0f) || !std::isfinite(out->layer_norm_eps)) {
    return ModelLoadError(path + ": the layer norm epsilon is not a positive number");
  }
  if (out->hidden_size <= 0 || out->num_heads <= 0 || out->hidden_size % out->num_heads != 0 || out->num_layers <= 0 ||
      out->intermediate_size <= 0 || out->vocab_size <= 0 || out->max_position_embeddings <= out->position_offset ||
      out->type_vocab_size < 0) {
    return ModelLoadError(path + ": inconsistent transformer shape");
  }
  return Status::Ok();
}

}  // namespace sk::model
