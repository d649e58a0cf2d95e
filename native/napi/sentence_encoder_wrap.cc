#include "napi/sentence_encoder_wrap.h"

#include "napi/addon_data.h"
#include "napi/encode_worker.h"
#include "napi/errors.h"
#include "napi/js_values.h"
#include "napi/load_model_worker.h"
#include "napi/model_options.h"

namespace sk::napi {
namespace {

// loadSentenceEncoder({ ...model files, pooling: string[] })
Napi::Value LoadSentenceEncoder(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) ThrowTypeError(env, "expected an options object");
  const Napi::Object options = info[0].As<Napi::Object>();
  pipeline::SentenceEncoderConfig config;
  config.files = ReadModelFiles(options);
  config.pooling.modes.clear();
  for (const std::string& name : GetStringArray(options, "pooling")) {
    pipeline::PoolingMode mode;
    Status status = pipeline::ParsePoolingMode(name, &mode);
    if (!status.ok()) ThrowTypeError(env, status.message());
    config.pooling.modes.push_back(mode);
  }
  return LoadModelWorker<pipeline::SentenceEncoder, SentenceEncoderWrap>::Start(
      env, [config](std::unique_ptr<pipeline::SentenceEncoder>* out) { return pipeline::SentenceEncoder::Load(config, out); });
}

}  // namespace

void SentenceEncoderWrap::Init(Napi::Env env, Napi::Object exports) {
  Napi::Function constructor = DefineClass(
      env, "NativeSentenceEncoder",
      {InstanceAccessor<&SentenceEncoderWrap::Dimension>("dimension"),
       InstanceAccessor<&SentenceEncoderWrap::HiddenSize>("hiddenSize"),
       InstanceMethod<&SentenceEncoderWrap::Encode>("encode"),
       InstanceMethod<&SentenceEncoderWrap::Dispose>("dispose")});
  GetAddonData(env).sentence_encoder_class = Napi::Persistent(constructor);
  exports.Set("loadSentenceEncoder", Napi::Function::New(env, LoadSentenceEncoder, "loadSentenceEncoder"));
}

Napi::Object SentenceEncoderWrap::NewInstance(Napi::Env env,
                                              std::shared_ptr<pipeline::SentenceEncoder> encoder) {
  Napi::Object object = GetAddonData(env).sentence_encoder_class.New({});
  SentenceEncoderWrap::Unwrap(object)->encoder_ = std::move(encoder);
  return object;
}

SentenceEncoderWrap::SentenceEncoderWrap(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<SentenceEncoderWrap>(info) {}

Napi::Value SentenceEncoderWrap::Dimension(const Napi::CallbackInfo& info) {
  if (!encoder_) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), static_cast<double>(encoder_->dimension()));
}

Napi::Value SentenceEncoderWrap::HiddenSize(const Napi::CallbackInfo& info) {
  if (!encoder_) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), static_cast<double>(encoder_->hidden_size()));
}

// encode(texts: string[], batchSize: number, normalize: boolean): Promise<Float32Array>
Napi::Value SentenceEncoderWrap::Encode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!encoder_) return RejectDisposed(env);
  if (info.Length() < 3 || !info[1].IsNumber() || !info[2].IsBoolean()) {
    ThrowTypeError(env, "encode(texts, batchSize, normalize)");
  }
  pipeline::EncodeParams params;
  const double batch_size = info[1].As<Napi::Number>().DoubleValue();
  if (!(batch_size >= 1)) ThrowTypeError(env, "batchSize must be a positive integer");
  params.batch_size = static_cast<size_t>(batch_size);
  params.normalize = info[2].As<Napi::Boolean>().Value();
  auto* worker = new EncodeWorker(env, encoder_, ToStringVector(env, info[0], "texts"), params);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

Napi::Value SentenceEncoderWrap::Dispose(const Napi::CallbackInfo& info) {
  encoder_.reset();
  return info.Env().Undefined();
}

}  // namespace sk::napi
