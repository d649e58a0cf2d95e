#include "napi/static_sparse_encoder_wrap.h"

#include "napi/addon_data.h"
#include "napi/errors.h"
#include "napi/js_values.h"
#include "napi/load_model_worker.h"
#include "napi/model_options.h"
#include "napi/texts_arg.h"
#include "napi/sparse_vocabulary.h"
#include "napi/static_sparse_encode_worker.h"

namespace sk::napi {
namespace {

// loadStaticSparseEncoder({ tokenizerPath, tokenizerJson?, maxLength /* 0 = no truncation */, weights: Float32Array })
Napi::Value LoadStaticSparseEncoder(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) ThrowTypeError(env, "expected an options object");
  const Napi::Object options = info[0].As<Napi::Object>();
  pipeline::StaticSparseFiles files;
  files.tokenizer_path = GetString(options, "tokenizerPath");
  if (options.Get("tokenizerJson").IsString()) files.tokenizer_json = GetString(options, "tokenizerJson");
  const double max_length = GetNumber(options, "maxLength", 0);
  if (!(max_length >= 0)) ThrowTypeError(env, "maxLength must be a non-negative integer");
  files.max_length = static_cast<size_t>(max_length);
  const Napi::Value weights = options.Get("weights");
  if (!weights.IsTypedArray() || weights.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    ThrowTypeError(env, "weights must be a Float32Array");
  }
  // Copied once at load: the model outlives the caller's array.
  const Napi::Float32Array array = weights.As<Napi::Float32Array>();
  files.weights.assign(array.Data(), array.Data() + array.ElementLength());
  return LoadModelWorker<pipeline::StaticSparseEncoderModel, StaticSparseEncoderWrap>::Start(
      env, [files = std::move(files)](std::unique_ptr<pipeline::StaticSparseEncoderModel>* out) mutable {
        return pipeline::StaticSparseEncoderModel::Load(std::move(files), out);
      });
}

}  // namespace

void StaticSparseEncoderWrap::Init(Napi::Env env, Napi::Object exports) {
  Napi::Function constructor = DefineClass(
      env, "NativeStaticSparseEncoder",
      {InstanceAccessor<&StaticSparseEncoderWrap::VocabSize>("vocabSize"),
       InstanceMethod<&StaticSparseEncoderWrap::Encode>("encode"),
       InstanceMethod<&StaticSparseEncoderWrap::IdsToTokens>("idsToTokens"),
       InstanceMethod<&StaticSparseEncoderWrap::Dispose>("dispose")});
  GetAddonData(env).static_sparse_encoder_class = Napi::Persistent(constructor);
  exports.Set("loadStaticSparseEncoder", Napi::Function::New(env, LoadStaticSparseEncoder, "loadStaticSparseEncoder"));
}

Napi::Object StaticSparseEncoderWrap::NewInstance(Napi::Env env, std::shared_ptr<pipeline::StaticSparseEncoderModel> model) {
  Napi::Object object = GetAddonData(env).static_sparse_encoder_class.New({});
  StaticSparseEncoderWrap::Unwrap(object)->model_ = std::move(model);
  return object;
}

StaticSparseEncoderWrap::StaticSparseEncoderWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<StaticSparseEncoderWrap>(info) {}

Napi::Value StaticSparseEncoderWrap::VocabSize(const Napi::CallbackInfo& info) { return VocabSizeOf(info.Env(), model_.get()); }

// encode(texts: Texts (napi/texts_arg.h), batchSize: number, maxActiveDims: number /* 0 = all */). No model
// runs, so batchSize changes nothing; it is taken so every route has one signature.
Napi::Value StaticSparseEncoderWrap::Encode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!model_) return RejectDisposed(env);
  if (info.Length() < 3 || !info[1].IsNumber() || !info[2].IsNumber()) {
    ThrowTypeError(env, "encode(texts, batchSize, maxActiveDims)");
  }
  const double max_active_dims = info[2].As<Napi::Number>().DoubleValue();
  if (!(max_active_dims >= 0)) ThrowTypeError(env, "maxActiveDims must be non-negative");
  auto* worker = new StaticSparseEncodeWorker(env, model_, TextsArg::Read(env, info[0], "texts"), static_cast<size_t>(max_active_dims));
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

Napi::Value StaticSparseEncoderWrap::IdsToTokens(const Napi::CallbackInfo& info) { return IdsToTokensOf(info, model_.get()); }

Napi::Value StaticSparseEncoderWrap::Dispose(const Napi::CallbackInfo& info) {
  model_.reset();
  return info.Env().Undefined();
}

}  // namespace sk::napi
