#include "napi/cross_encoder_wrap.h"

#include "napi/addon_data.h"
#include "napi/errors.h"
#include "napi/js_values.h"
#include "napi/load_model_worker.h"
#include "napi/model_options.h"
#include "napi/texts_arg.h"
#include "napi/predict_worker.h"

namespace sk::napi {
namespace {

Napi::Value LoadCrossEncoder(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) ThrowTypeError(env, "expected an options object");
  const Napi::Object options = info[0].As<Napi::Object>();
  const pipeline::ModelFiles files = ReadModelFiles(options);
  const pipeline::Placement placement = ReadPlacement(options);
  return LoadModelWorker<pipeline::CrossEncoderModel, CrossEncoderWrap>::Start(
      env, [files, placement](std::unique_ptr<pipeline::CrossEncoderModel>* out) {
        return pipeline::CrossEncoderModel::Load(files, placement, out);
      });
}

}  // namespace

void CrossEncoderWrap::Init(Napi::Env env, Napi::Object exports) {
  Napi::Function constructor = DefineClass(
      env, "NativeCrossEncoder",
      {InstanceAccessor<&CrossEncoderWrap::NumLabels>("numLabels"),
       InstanceMethod<&CrossEncoderWrap::Predict>("predict"),
       InstanceMethod<&CrossEncoderWrap::Dispose>("dispose")});
  GetAddonData(env).cross_encoder_class = Napi::Persistent(constructor);
  exports.Set("loadCrossEncoder", Napi::Function::New(env, LoadCrossEncoder, "loadCrossEncoder"));
}

Napi::Object CrossEncoderWrap::NewInstance(Napi::Env env, std::shared_ptr<pipeline::CrossEncoderModel> model) {
  Napi::Object object = GetAddonData(env).cross_encoder_class.New({});
  CrossEncoderWrap* wrap = CrossEncoderWrap::Unwrap(object);
  wrap->model_ = std::move(model);
  wrap->owner_ = std::make_unique<ModelOwner>(env, object, "sentencekit:model");
  return object;
}

CrossEncoderWrap::CrossEncoderWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<CrossEncoderWrap>(info) {}

Napi::Value CrossEncoderWrap::NumLabels(const Napi::CallbackInfo& info) {
  if (!model_) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), static_cast<double>(model_->num_labels()));
}

// predict(firsts: Texts, seconds: Texts, batchSize: number, maxLength?: number) (Texts: napi/texts_arg.h): Promise<Float32Array>
Napi::Value CrossEncoderWrap::Predict(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!model_) return RejectDisposed(env);
  if (info.Length() < 3 || !info[2].IsNumber()) ThrowTypeError(env, "predict(firsts, seconds, batchSize)");
  TextsArg firsts = TextsArg::Read(env, info[0], "firsts");
  TextsArg seconds = TextsArg::Read(env, info[1], "seconds");
  if (firsts.size() != seconds.size()) ThrowTypeError(env, "firsts and seconds must have the same length");
  const double batch_size = info[2].As<Napi::Number>().DoubleValue();
  if (!(batch_size >= 1)) ThrowTypeError(env, "batchSize must be a positive integer");
  const size_t max_length = ReadMaxLength(env, info[3]);
  return owner_->Submit(env, std::make_unique<PredictWorker>(env, model_, std::move(firsts), std::move(seconds),
                                                             static_cast<size_t>(batch_size), max_length));
}

Napi::Value CrossEncoderWrap::Dispose(const Napi::CallbackInfo& info) {
  model_.reset();
  return CloseOwnerOnce(info.Env(), owner_.get());
}

}  // namespace sk::napi
