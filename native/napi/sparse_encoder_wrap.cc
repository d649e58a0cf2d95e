#include "napi/sparse_encoder_wrap.h"

#include "napi/addon_data.h"
#include "napi/errors.h"
#include "napi/js_values.h"
#include "napi/load_model_worker.h"
#include "napi/model_options.h"
#include "napi/texts_arg.h"
#include "napi/sparse_encode_worker.h"
#include "napi/sparse_vocabulary.h"

namespace sk::napi {
namespace {

Napi::Value LoadSparseEncoder(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) ThrowTypeError(env, "expected an options object");
  const Napi::Object options = info[0].As<Napi::Object>();
  const pipeline::ModelFiles files = ReadModelFiles(options);
  // spladeActivation: 'relu' (default) | 'log1p_relu', validated in lib/.
  const pipeline::SpladeActivation activation =
      options.Has("spladeActivation") && GetString(options, "spladeActivation") == "log1p_relu"
          ? pipeline::SpladeActivation::kLog1pRelu
          : pipeline::SpladeActivation::kRelu;
  const pipeline::Placement placement = ReadPlacement(options);
  return LoadModelWorker<pipeline::SparseEncoderModel, SparseEncoderWrap>::Start(
      env, [files, activation, placement](std::unique_ptr<pipeline::SparseEncoderModel>* out) {
        return pipeline::SparseEncoderModel::Load(files, placement, out, activation);
      });
}

}  // namespace

void SparseEncoderWrap::Init(Napi::Env env, Napi::Object exports) {
  Napi::Function constructor = DefineClass(
      env, "NativeSparseEncoder",
      {InstanceAccessor<&SparseEncoderWrap::VocabSize>("vocabSize"),
       InstanceMethod<&SparseEncoderWrap::Encode>("encode"),
       InstanceMethod<&SparseEncoderWrap::IdsToTokens>("idsToTokens"),
       InstanceMethod<&SparseEncoderWrap::Dispose>("dispose")});
  GetAddonData(env).sparse_encoder_class = Napi::Persistent(constructor);
  exports.Set("loadSparseEncoder", Napi::Function::New(env, LoadSparseEncoder, "loadSparseEncoder"));
}

Napi::Object SparseEncoderWrap::NewInstance(Napi::Env env, std::shared_ptr<pipeline::SparseEncoderModel> model) {
  Napi::Object object = GetAddonData(env).sparse_encoder_class.New({});
  SparseEncoderWrap* wrap = SparseEncoderWrap::Unwrap(object);
  wrap->model_ = std::move(model);
  wrap->owner_ = std::make_unique<ModelOwner>(env, object, "sentencekit:model");
  return object;
}

SparseEncoderWrap::SparseEncoderWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<SparseEncoderWrap>(info) {}

Napi::Value SparseEncoderWrap::VocabSize(const Napi::CallbackInfo& info) { return VocabSizeOf(info.Env(), model_.get()); }

// encode(texts: Texts (napi/texts_arg.h), batchSize: number, maxActiveDims: number /* 0 = all */, maxLength?: number)
Napi::Value SparseEncoderWrap::Encode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!model_) return RejectDisposed(env);
  if (info.Length() < 3 || !info[1].IsNumber() || !info[2].IsNumber()) {
    ThrowTypeError(env, "encode(texts, batchSize, maxActiveDims)");
  }
  const double batch_size = info[1].As<Napi::Number>().DoubleValue();
  const double max_active_dims = info[2].As<Napi::Number>().DoubleValue();
  if (!(batch_size >= 1) || !(max_active_dims >= 0)) ThrowTypeError(env, "batchSize must be positive, maxActiveDims non-negative");
  const size_t max_length = ReadMaxLength(env, info[3]);
  return owner_->Submit(env, std::make_unique<SparseEncodeWorker>(env, model_, TextsArg::Read(env, info[0], "texts"), static_cast<size_t>(batch_size),
                                        static_cast<size_t>(max_active_dims), max_length));
}

Napi::Value SparseEncoderWrap::IdsToTokens(const Napi::CallbackInfo& info) { return IdsToTokensOf(info, model_.get()); }

Napi::Value SparseEncoderWrap::Dispose(const Napi::CallbackInfo& info) {
  model_.reset();
  return CloseOwnerOnce(info.Env(), owner_.get());
}

}  // namespace sk::napi
