#include "napi/clip_model_wrap.h"

#include <functional>

#include "napi/addon_data.h"
#include "napi/errors.h"
#include "napi/js_values.h"
#include "napi/load_model_worker.h"
#include "napi/model_options.h"
#include "napi/texts_arg.h"

namespace sk::napi {
namespace {

// One encode: rows written straight into a Float32Array allocated up front (an ArrayBuffer's
// backing store never moves, so Run() may write into it off-thread).
class ClipEncodeJob : public OwnerJob {
 public:
  using Work = std::function<Status(float* out)>;
  ClipEncodeJob(Napi::Env env, size_t floats, Work work) : OwnerJob(env), work_(std::move(work)) {
    Napi::Float32Array output = Napi::Float32Array::New(env, floats);
    output_data_ = output.Data();
    output_ = Napi::Persistent(output);
  }

 private:
  Status Run() override { return work_(output_data_); }
  Napi::Value Result(Napi::Env) override { return output_.Value(); }

  Work work_;
  Napi::Reference<Napi::Float32Array> output_;
  float* output_data_ = nullptr;
};

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

// loadClipModel({ modelDir, tokenizerPath, tokenizerJson?, maxLength, precision: 'int8' | 'bf16x3', threads })
Napi::Value LoadClipModel(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) ThrowTypeError(env, "expected an options object");
  const Napi::Object options = info[0].As<Napi::Object>();
  pipeline::ClipModelConfig config;
  config.model_dir = GetString(options, "modelDir");
  config.files.tokenizer_path = GetString(options, "tokenizerPath");
  if (options.Get("tokenizerJson").IsString()) config.files.tokenizer_json = GetString(options, "tokenizerJson");
  const double max_length = GetNumber(options, "maxLength", 77);
  if (!(max_length >= 1)) ThrowTypeError(env, "maxLength must be a positive integer");
  config.files.max_length = static_cast<size_t>(max_length);
  const std::string precision = options.Get("precision").IsString() ? GetString(options, "precision") : "bf16x3";
  if (precision != "int8" && precision != "bf16x3") ThrowTypeError(env, "precision must be 'int8' or 'bf16x3'");
  config.engine.precision = precision == "int8" ? cpu::EnginePrecision::kInt8 : cpu::EnginePrecision::kBf16x3;
  const double threads = GetNumber(options, "threads", 0);
  if (!(threads >= 0)) ThrowTypeError(env, "threads must be a non-negative integer");
  config.engine.threads = static_cast<size_t>(threads);
  return LoadModelWorker<pipeline::ClipModel, ClipModelWrap>::Start(
      env, [config = std::move(config)](std::unique_ptr<pipeline::ClipModel>* out) { return pipeline::ClipModel::Load(config, out); });
}

}  // namespace

void ClipModelWrap::Init(Napi::Env env, Napi::Object exports) {
  Napi::Function constructor = DefineClass(env, "NativeClipModel",
                                           {InstanceAccessor<&ClipModelWrap::Dimension>("dimension"),
                                            InstanceAccessor<&ClipModelWrap::ImageSize>("imageSize"),
                                            InstanceMethod<&ClipModelWrap::EncodeTexts>("encodeTexts"),
                                            InstanceMethod<&ClipModelWrap::EncodeImages>("encodeImages"),
                                            InstanceMethod<&ClipModelWrap::Dispose>("dispose")});
  GetAddonData(env).clip_model_class = Napi::Persistent(constructor);
  exports.Set("loadClipModel", Napi::Function::New(env, LoadClipModel, "loadClipModel"));
}

Napi::Object ClipModelWrap::NewInstance(Napi::Env env, std::shared_ptr<pipeline::ClipModel> model) {
  Napi::Object object = GetAddonData(env).clip_model_class.New({});
  ClipModelWrap* wrap = ClipModelWrap::Unwrap(object);
  wrap->model_ = std::move(model);
  wrap->owner_ = std::make_unique<ModelOwner>(env, object, "sentencekit:clip");
  return object;
}

ClipModelWrap::ClipModelWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ClipModelWrap>(info) {}

Napi::Value ClipModelWrap::Dimension(const Napi::CallbackInfo& info) {
  if (!model_) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), static_cast<double>(model_->dimension()));
}

Napi::Value ClipModelWrap::ImageSize(const Napi::CallbackInfo& info) {
  if (!model_) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), model_->config().image_size);
}

// encodeTexts(texts: Texts (napi/texts_arg.h), { normalizeModule, normalize, truncateDim }): Promise<Float32Array>
Napi::Value ClipModelWrap::EncodeTexts(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!model_) return RejectDisposed(env);
  if (info.Length() < 1) ThrowTypeError(env, "encodeTexts(texts, options)");
  const pipeline::ClipEncodeParams params = ReadParams(env, info[1]);
  auto texts = std::make_shared<TextsArg>(TextsArg::Read(env, info[0], "texts"));
  std::shared_ptr<pipeline::ClipModel> model = model_;
  const size_t floats = texts->size() * model->OutputDimension(params);
  return owner_->Submit(env, std::make_unique<ClipEncodeJob>(env, floats, [model, texts, params](float* out) {
                          return model->EncodeTexts(texts->Strings(), params, out);
                        }));
}

// encodeImages(pixels: Float32Array [count, channels, imageSize, imageSize], count, { normalize,
// truncateDim }): Promise<Float32Array>. The pixels are read in place; the array stays
// referenced until the job has run.
Napi::Value ClipModelWrap::EncodeImages(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!model_) return RejectDisposed(env);
  if (info.Length() < 2 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array ||
      !info[1].IsNumber()) {
    ThrowTypeError(env, "encodeImages(pixels: Float32Array, count: number, options)");
  }
  Napi::Float32Array pixels = info[0].As<Napi::Float32Array>();
  const double count = info[1].As<Napi::Number>().DoubleValue();
  const model::ClipConfig& config = model_->config();
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
  std::shared_ptr<pipeline::ClipModel> model = model_;
  const size_t floats = images * model->OutputDimension(params);
  return owner_->Submit(env, std::make_unique<ClipEncodeJob>(env, floats, [model, keep, data, images, params](float* out) {
                          return model->EncodeImages(data, images, params, out);
                        }));
}

Napi::Value ClipModelWrap::Dispose(const Napi::CallbackInfo& info) {
  model_.reset();
  return CloseOwnerOnce(info.Env(), owner_.get());
}

}  // namespace sk::napi
