#include "model/encoder_config.h"

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

Status ReadEncoderConfig(const std::string& path, EncoderConfig* out) {
  std::string text;
  SK_RETURN_IF_ERROR(ReadWholeFile(path, &text));
  return ParseEncoderConfig(text, path, out);
}

Status ParseEncoderConfig(std::string_view text, const std::string& path, EncoderConfig* out) {
  JsonValue config;
  const Status parsed = JsonValue::Parse(text, &config);
  if (!parsed.ok()) return ModelLoadError(path + ": " + parsed.message());
  if (!config.is_object()) return ModelLoadError(path + ": not a JSON object");
  const JsonValue* type = config.Find("model_type");
  out->model_type = type != nullptr && type->is_string() ? type->string() : "";
  if (out->model_type == "bert") {
    out->position_offset = 0;
  } else if (out->model_type == "roberta" || out->model_type == "xlm-roberta" || out->model_type == "mpnet") {
    out->position_offset = -1;  // set from pad_token_id below
  } else {
    return ModelLoadError(path + ": model_type \"" + out->model_type +
                          "\" is not supported by the native engines yet (they run bert, roberta, xlm-roberta and mpnet)");
  }
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
  if (activation == "gelu") {
    out->activation = Activation::kGeluErf;
  } else if (activation == "gelu_new" || activation == "gelu_pytorch_tanh") {
    out->activation = Activation::kGeluTanh;
  } else if (activation == "relu") {
    out->activation = Activation::kRelu;
  } else {
    return ModelLoadError(path + ": hidden_act \"" + activation + "\" is not supported by the native engines");
  }
  if (out->hidden_size <= 0 || out->num_heads <= 0 || out->hidden_size % out->num_heads != 0 || out->num_layers <= 0 ||
      out->intermediate_size <= 0 || out->vocab_size <= 0 || out->max_position_embeddings <= out->position_offset ||
      out->type_vocab_size < 0) {
    return ModelLoadError(path + ": inconsistent transformer shape");
  }
  return Status::Ok();
}

}  // namespace sk::model
