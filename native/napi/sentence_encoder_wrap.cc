#include "napi/sentence_encoder_wrap.h"

#include "napi/addon_data.h"
#include "napi/encode_worker.h"
#include "napi/errors.h"
#include "napi/js_values.h"
#include "napi/load_sentence_encoder_worker.h"

namespace sk::napi {
namespace {

Napi::Value LoadSentenceEncoder(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) ThrowTypeError(env, "expected an options object");
  auto* worker = new LoadSentenceEncoderWorker(env, info[0].As<Napi::Object>());
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
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
  if (!encoder_) {
    Napi::Promise::Deferred deferred = Napi::Promise::Deferred::New(env);
    deferred.Reject(StatusToError(env, Status(StatusCode::kDisposed, "the model has been disposed")).Value());
    return deferred.Promise();
  }
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
