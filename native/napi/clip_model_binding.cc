// JavaScript face of pipeline::ClipModel: `loadClipModel(options)` resolves to an instance with
// `dimension`, `imageSize`, `backend`, `threads`, `normalizesOutputs`, `encodeTexts(texts,
// options)`, `encodeImages(pixels, count, options)`, the tokenizer's `tokenize` / `decode`
// (napi/tokenizer_jobs.h) and `dispose()`; both encodes run on the model's owner thread and
// resolve to one Float32Array of rows.
#include <memory>
#include <string>
#include <utility>

#include "napi/errors.h"
#include "napi/js_values.h"
#include "napi/model_bindings.h"
#include "napi/model_options.h"
#include "napi/model_wrap.h"
#include "napi/texts_arg.h"
#include "napi/tokenizer_jobs.h"
#include "pipeline/clip_model.h"

namespace sk::napi {
namespace {

using Wrap = ModelWrap<pipeline::ClipModel>;

pipeline::ClipEncodeParams ReadParams(Napi::Env env, const Napi::Value& value) {
  pipeline::ClipEncodeParams params;
  if (!value.IsObject()) return params;
  const Napi::Object options = value.As<Napi::Object>();
  const double truncate_dim = GetNumber(options, "truncateDim", 0);
  if (!(truncate_dim >= 0)) ThrowTypeError(env, "truncateDim must be non-negative");
  params.truncate_dim = static_cast<size_t>(truncate_dim);
  params.normalize = GetBool(options, "normalize", false);
  params.normalize_module = GetBool(options, "normalizeModule", false);
  return params;
}

// loadClipModel({ modelDir, tokenizerPath, tokenizerJson?, padToken?, weightsPath?, weightsTable?,
// maxLength, precision: 'int8' | 'bf16x3', intraOpThreads, allowSpinning, onnx?: { textModel,
// visionModel } | { model } }): with `onnx` the towers run through ONNX Runtime on those files,
// else on the CPU engine at `precision`, from weightsPath read through weightsTable when given
// (a pytorch_model.bin) or the folder's model.safetensors.
Wrap::Loader ReadLoader(const Napi::Object& options) {
  Napi::Env env = options.Env();
  pipeline::ClipModelConfig config;
  config.model_dir = GetString(options, "modelDir");
  config.files.tokenizer_path = GetString(options, "tokenizerPath");
  if (options.Get("tokenizerJson").IsString()) config.files.tokenizer_json = GetString(options, "tokenizerJson");
  if (options.Get("padToken").IsString()) config.files.pad_token = GetString(options, "padToken");
  if (options.Get("weightsPath").IsString()) config.engine.weights_path = GetString(options, "weightsPath");
  if (options.Get("weightsTable").IsString()) {
    if (config.engine.weights_path.empty()) ThrowTypeError(env, "weightsTable needs weightsPath");
    config.engine.weights_table = GetString(options, "weightsTable");
  }
  const double max_length = GetNumber(options, "maxLength", 77);
  if (!(max_length >= 1)) ThrowTypeError(env, "maxLength must be a positive integer");
  config.files.max_length = static_cast<size_t>(max_length);
  const std::string precision = options.Get("precision").IsString() ? GetString(options, "precision") : "bf16x3";
  if (precision != "int8" && precision != "bf16x3") ThrowTypeError(env, "precision must be 'int8' or 'bf16x3'");
  config.engine.precision = precision == "int8" ? cpu::EnginePrecision::kInt8 : cpu::EnginePrecision::kBf16x3;
  const double threads = GetNumber(options, "intraOpThreads", 0);
  if (!(threads >= 0)) ThrowTypeError(env, "intraOpThreads must be a non-negative integer");
  config.engine.threads = static_cast<size_t>(threads);
  config.files.session.intra_op_threads = static_cast<int>(threads);
  config.files.session.allow_spinning = GetBool(options, "allowSpinning", false);
  if (options.Get("onnx").IsObject()) {
    const Napi::Object onnx = options.Get("onnx").As<Napi::Object>();
    if (onnx.Get("model").IsString()) {
      config.onnx.model = GetString(onnx, "model");
    } else {
      config.onnx.text_model = GetString(onnx, "textModel");
      config.onnx.vision_model = GetString(onnx, "visionModel");
    }
  }
  return [config](std::unique_ptr<pipeline::ClipModel>* out) { return pipeline::ClipModel::Load(config, out); };
}

Napi::Value Backend(const Napi::CallbackInfo& info, Wrap& wrap) {
  if (!wrap.model()) return info.Env().Undefined();
  return Napi::String::New(info.Env(), wrap.model()->towers().backend());
}

Napi::Value Threads(const Napi::CallbackInfo& info, Wrap& wrap) {
  if (!wrap.model()) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), static_cast<double>(wrap.model()->towers().threads()));
}

Napi::Value NormalizesOutputs(const Napi::CallbackInfo& info, Wrap& wrap) {
  if (!wrap.model()) return info.Env().Undefined();
  return Napi::Boolean::New(info.Env(), wrap.model()->towers().normalizes());
}

Napi::Value ImageSize(const Napi::CallbackInfo& info, Wrap& wrap) {
  if (!wrap.model()) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), wrap.model()->config().image_size);
}

// encodeTexts(texts: Texts (napi/texts_arg.h), { normalizeModule, normalize, truncateDim }): Promise<Float32Array>
Napi::Value EncodeTexts(const Napi::CallbackInfo& info, Wrap& wrap) {
  Napi::Env env = info.Env();
  if (!wrap.model()) return RejectDisposed(env);
  if (info.Length() < 1) ThrowTypeError(env, "encodeTexts(texts, options)");
  const pipeline::ClipEncodeParams params = ReadParams(env, info[1]);
  auto texts = std::make_shared<TextsArg>(TextsArg::Read(env, info[0], "texts"));
  return wrap.Start(env, FloatArraySteps(env, texts->size() * wrap.model()->OutputDimension(params),
                                         [model = wrap.model(), texts, params](float* out) {
                                           return model->EncodeTexts(texts->Strings(), params, out);
                                         }));
}

// encodeImages(pixels: Float32Array [count, channels, imageSize, imageSize], count, { normalize,
// truncateDim }): Promise<Float32Array>. The pixels are read in place; the array stays
// referenced until the job has run.
Napi::Value EncodeImages(const Napi::CallbackInfo& info, Wrap& wrap) {
  Napi::Env env = info.Env();
  if (!wrap.model()) return RejectDisposed(env);
  if (info.Length() < 2 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array ||
      !info[1].IsNumber()) {
    ThrowTypeError(env, "encodeImages(pixels: Float32Array, count: number, options)");
  }
  Napi::Float32Array pixels = info[0].As<Napi::Float32Array>();
  const double count = info[1].As<Napi::Number>().DoubleValue();
  const model::ClipConfig& config = wrap.model()->config();
  const size_t per_image = static_cast<size_t>(config.num_channels) * config.image_size * config.image_size;
  if (!(count >= 0) || static_cast<double>(static_cast<size_t>(count)) != count ||
      pixels.ElementLength() != static_cast<size_t>(count) * per_image) {
    Napi::RangeError::New(env, "expected " + std::to_string(per_image) + " floats per image (" + std::to_string(config.num_channels) +
                                   " x " + std::to_string(config.image_size) + " x " + std::to_string(config.image_size) +
                                   ") but received " + std::to_string(pixels.ElementLength()) + " for " +
                                   std::to_string(static_cast<size_t>(count)) + " images")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const pipeline::ClipEncodeParams params = ReadParams(env, info[2]);
  auto keep = std::make_shared<Napi::Reference<Napi::Float32Array>>(Napi::Persistent(pixels));
  const float* data = pixels.Data();
  const size_t images = static_cast<size_t>(count);
  return wrap.Start(env, FloatArraySteps(env, images * wrap.model()->OutputDimension(params),
                                         [model = wrap.model(), keep, data, images, params](float* out) {
                                           return model->EncodeImages(data, images, params, out);
                                         }));
}

// Aliasing: the tokenizer pointer keeps the whole model alive while a job waits.
std::shared_ptr<const tok::Tokenizer> SharedTokenizer(const Wrap& wrap) {
  return std::shared_ptr<const tok::Tokenizer>(wrap.model(), &wrap.model()->tokenizer());
}

// tokenize(texts, maxLength, options?) (napi/tokenizer_jobs.h).
Napi::Value Tokenize(const Napi::CallbackInfo& info, Wrap& wrap) {
  if (!wrap.model()) return RejectDisposed(info.Env());
  const pipeline::ModelTokenizer& rule = wrap.model()->padding();
  return wrap.Start(info.Env(), TokenizeSteps(info, SharedTokenizer(wrap), PaddingRule{rule.pad_id, rule.pads_left, rule.truncation_side}));
}

// decode(ids, skipSpecialTokens) (napi/tokenizer_jobs.h).
Napi::Value Decode(const Napi::CallbackInfo& info, Wrap& wrap) {
  if (!wrap.model()) return RejectDisposed(info.Env());
  return wrap.Start(info.Env(), DecodeSteps(info, SharedTokenizer(wrap)));
}

}  // namespace

void InitClipModel(Napi::Env env, Napi::Object exports) {
  Wrap::Define<ReadLoader>(env, exports, "NativeClipModel", "loadClipModel", "sentencekit:clip",
                           {Wrap::Size<&pipeline::ClipModel::dimension>("dimension"), Wrap::Getter<ImageSize>("imageSize"),
                            Wrap::Getter<Backend>("backend"), Wrap::Getter<Threads>("threads"),
                            Wrap::Getter<NormalizesOutputs>("normalizesOutputs"),
                            Wrap::Method<EncodeTexts>("encodeTexts"), Wrap::Method<EncodeImages>("encodeImages"),
                            Wrap::Method<Tokenize>("tokenize"), Wrap::Method<Decode>("decode")});
}

}  // namespace sk::napi
