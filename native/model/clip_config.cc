#include "model/clip_config.h"

#include <limits>

#include "core/file_util.h"
#include "core/json.h"

namespace sk::model {
namespace {

// Shapes index buffers: a missing key keeps transformers' default; anything but a positive
// int32 (a hostile or broken file) is refused, never truncated.
Status ReadPositive(const JsonValue& section, const char* key, int* out, const std::string& where) {
  const JsonValue* value = section.Find(key);
  if (value == nullptr || value->is_null()) return Status::Ok();
  if (!value->is_integer() || value->integer() <= 0 || value->integer() > std::numeric_limits<int32_t>::max()) {
    return ModelLoadError(where + ": \"" + key + "\" is not a positive integer in the range of int32");
  }
  *out = static_cast<int>(value->integer());
  return Status::Ok();
}

// eos_token_id may be any int (2 selects the argmax pooling) or a list (its first entry, as
// the text tower compares against one id).
Status ReadEos(const JsonValue& section, int* out, const std::string& where) {
  const JsonValue* value = section.Find("eos_token_id");
  if (value == nullptr || value->is_null()) return Status::Ok();
  if (value->is_array() && !value->array().empty()) value = &value->array().front();
  if (!value->is_integer() || value->integer() < 0 || value->integer() > std::numeric_limits<int32_t>::max()) {
    return ModelLoadError(where + ": \"eos_token_id\" is not a token id");
  }
  *out = static_cast<int>(value->integer());
  return Status::Ok();
}

Status ReadTower(const JsonValue& section, ClipTowerConfig* tower, const std::string& where) {
  SK_RETURN_IF_ERROR(ReadPositive(section, "hidden_size", &tower->hidden_size, where));
  SK_RETURN_IF_ERROR(ReadPositive(section, "intermediate_size", &tower->intermediate_size, where));
  SK_RETURN_IF_ERROR(ReadPositive(section, "num_hidden_layers", &tower->num_layers, where));
  SK_RETURN_IF_ERROR(ReadPositive(section, "num_attention_heads", &tower->num_heads, where));
  if (tower->hidden_size % tower->num_heads != 0) {
    return ModelLoadError(where + ": hidden_size " + std::to_string(tower->hidden_size) + " is not a multiple of num_attention_heads " +
                          std::to_string(tower->num_heads));
  }
  if (const JsonValue* eps = section.Find("layer_norm_eps"); eps != nullptr && !eps->is_null()) {
    if (!eps->is_number() || !(eps->number() > 0.0) || eps->number() > 1.0) {
      return ModelLoadError(where + ": \"layer_norm_eps\" is not a small positive number");
    }
    tower->layer_norm_eps = static_cast<float>(eps->number());
  }
  if (const JsonValue* act = section.Find("hidden_act"); act != nullptr && !act->is_null()) {
    const std::string name = act->is_string() ? act->string() : "";
    if (name == "quick_gelu") {
      tower->quick_gelu = true;
    } else if (name == "gelu") {
      tower->quick_gelu = false;
      tower->activation = Activation::kGeluErf;
    } else if (name == "gelu_new" || name == "gelu_pytorch_tanh") {
      tower->quick_gelu = false;
      tower->activation = Activation::kGeluTanh;
    } else {
      return ModelLoadError(where + ": hidden_act \"" + name + "\" is not supported by the native CLIP engine (quick_gelu, gelu, gelu_new)");
    }
  }
  return Status::Ok();
}

}  // namespace

Status ReadClipConfig(const std::string& path, ClipConfig* out) {
  std::string text;
  SK_RETURN_IF_ERROR(ReadWholeFile(path, &text));
  return ParseClipConfig(text, path, out);
}

Status ParseClipConfig(std::string_view text, const std::string& path, ClipConfig* out) {
  JsonValue root;
  Status parsed = JsonValue::Parse(text, &root);
  if (!parsed.ok()) return ModelLoadError(path + ": " + parsed.message());
  if (!root.is_object()) return ModelLoadError(path + ": not a JSON object");
  const JsonValue* type = root.Find("model_type");
  if (type == nullptr || !type->is_string() || type->string() != "clip") {
    return ModelLoadError(path + ": model_type is not \"clip\" (a CLIPModel's config.json)");
  }
  ClipConfig config;
  // transformers' CLIPTextConfig / CLIPVisionConfig defaults.
  config.text = {512, 2048, 12, 8};
  config.vision = {768, 3072, 12, 12};
  const JsonValue empty;
  // transformers' CLIPConfig takes text_config_dict / vision_config_dict (what transformers < 4.22
  // saved beside the full configs, as the Hub's clip-ViT-* folders have them) completed with the
  // class defaults in place of every key of text_config / vision_config.
  const auto section = [&](const char* dict_key, const char* config_key) -> const JsonValue& {
    for (const char* key : {dict_key, config_key}) {
      const JsonValue* value = root.Find(key);
      if (value != nullptr && value->is_object()) return *value;
    }
    return empty;
  };
  const JsonValue& text_section = section("text_config_dict", "text_config");
  const JsonValue& vision_section = section("vision_config_dict", "vision_config");
  SK_RETURN_IF_ERROR(ReadTower(text_section, &config.text, path + " text_config"));
  SK_RETURN_IF_ERROR(ReadTower(vision_section, &config.vision, path + " vision_config"));
  SK_RETURN_IF_ERROR(ReadPositive(text_section, "vocab_size", &config.vocab_size, path + " text_config"));
  SK_RETURN_IF_ERROR(ReadPositive(text_section, "max_position_embeddings", &config.max_positions, path + " text_config"));
  SK_RETURN_IF_ERROR(ReadEos(text_section, &config.eos_token_id, path + " text_config"));
  SK_RETURN_IF_ERROR(ReadPositive(vision_section, "image_size", &config.image_size, path + " vision_config"));
  SK_RETURN_IF_ERROR(ReadPositive(vision_section, "patch_size", &config.patch_size, path + " vision_config"));
  SK_RETURN_IF_ERROR(ReadPositive(vision_section, "num_channels", &config.num_channels, path + " vision_config"));
  SK_RETURN_IF_ERROR(ReadPositive(root, "projection_dim", &config.projection_dim, path));
  if (config.image_size % config.patch_size != 0 || config.image_size > 4096) {
    return ModelLoadError(path + ": image_size " + std::to_string(config.image_size) + " is not a whole number of patch_size " +
                          std::to_string(config.patch_size) + " (up to 4096)");
  }
  *out = config;
  return Status::Ok();
}

}  // namespace sk::model
