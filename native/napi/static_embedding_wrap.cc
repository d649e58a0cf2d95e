#include "napi/static_embedding_wrap.h"

#include "napi/addon_data.h"
#include "napi/errors.h"
#include "napi/js_values.h"
#include "napi/load_model_worker.h"
#include "napi/model_options.h"
#include "napi/texts_arg.h"

namespace sk::napi {
namespace {

// encode(): every text's mean row written straight into a Float32Array allocated up front.
class StaticEncodeJob : public OwnerJob {
 public:
  StaticEncodeJob(Napi::Env env, std::shared_ptr<pipeline::StaticEmbeddingModel> model, TextsArg texts,
                  pipeline::StaticEncodeParams params)
      : OwnerJob(env), model_(std::move(model)), texts_(std::move(texts)), params_(params) {
    // An ArrayBuffer's backing store never moves, so Run() may write into it off-thread.
    Napi::Float32Array output = Napi::Float32Array::New(env, texts_.size() * model_->OutputDimension(params_.truncate_dim));
    output_data_ = output.Data();
    output_ = Napi::Persistent(output);
  }

 private:
  Status Run() override { return model_->Encode(texts_.Strings(), params_, output_data_); }
  Napi::Value Result(Napi::Env) override { return output_.Value(); }

  std::shared_ptr<pipeline::StaticEmbeddingModel> model_;
  TextsArg texts_;
  pipeline::StaticEncodeParams params_;
  Napi::Reference<Napi::Float32Array> output_;
  float* output_data_ = nullptr;
};

// loadStaticEmbedding({ tokenizerPath, tokenizerJson?, weightsPath, maxLength, truncateLeft, normalizeModule })
Napi::Value LoadStaticEmbedding(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) ThrowTypeError(env, "expected an options object");
  const Napi::Object options = info[0].As<Napi::Object>();
  pipeline::StaticEmbeddingFiles files;
  files.tokenizer_path = GetString(options, "tokenizerPath");
  if (options.Get("tokenizerJson").IsString()) files.tokenizer_json = GetString(options, "tokenizerJson");
  files.weights_path = GetString(options, "weightsPath");
  const double max_length = GetNumber(options, "maxLength", 0);
  if (!(max_length >= 0)) ThrowTypeError(env, "maxLength must be a non-negative integer");
  files.max_length = static_cast<size_t>(max_length);
  files.truncate_left = GetBool(options, "truncateLeft", false);
  files.normalize_module = GetBool(options, "normalizeModule", false);
  return LoadModelWorker<pipeline::StaticEmbeddingModel, StaticEmbeddingWrap>::Start(
      env, [files = std::move(files)](std::unique_ptr<pipeline::StaticEmbeddingModel>* out) mutable {
        return pipeline::StaticEmbeddingModel::Load(std::move(files), out);
      });
}

}  // namespace

void StaticEmbeddingWrap::Init(Napi::Env env, Napi::Object exports) {
  Napi::Function constructor = DefineClass(
      env, "NativeStaticEmbedding",
      {InstanceAccessor<&StaticEmbeddingWrap::Dimension>("dimension"),
       InstanceAccessor<&StaticEmbeddingWrap::Dimension>("hiddenSize"),
       InstanceMethod<&StaticEmbeddingWrap::Encode>("encode"),
       InstanceMethod<&StaticEmbeddingWrap::PromptLength>("promptLength"),
       InstanceMethod<&StaticEmbeddingWrap::Tokenize>("tokenize"),
       InstanceMethod<&StaticEmbeddingWrap::EncodeTokens>("encodeTokens"),
       InstanceMethod<&StaticEmbeddingWrap::Decode>("decode"),
       InstanceMethod<&StaticEmbeddingWrap::IoStats>("ioStats"),
       InstanceMethod<&StaticEmbeddingWrap::Dispose>("dispose")});
  GetAddonData(env).static_embedding_class = Napi::Persistent(constructor);
  exports.Set("loadStaticEmbedding", Napi::Function::New(env, LoadStaticEmbedding, "loadStaticEmbedding"));
}

Napi::Object StaticEmbeddingWrap::NewInstance(Napi::Env env, std::shared_ptr<pipeline::StaticEmbeddingModel> model) {
  Napi::Object object = GetAddonData(env).static_embedding_class.New({});
  StaticEmbeddingWrap* wrap = StaticEmbeddingWrap::Unwrap(object);
  wrap->model_ = std::move(model);
  wrap->owner_ = std::make_unique<ModelOwner>(env, object, "sentencekit:static-embedding");
  return object;
}

StaticEmbeddingWrap::StaticEmbeddingWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<StaticEmbeddingWrap>(info) {}

Napi::Value StaticEmbeddingWrap::Dimension(const Napi::CallbackInfo& info) {
  if (!model_) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), static_cast<double>(model_->dimension()));
}

// encode(texts: Texts (napi/texts_arg.h), { normalize, truncateDim }): Promise<Float32Array>. The
// sentence encoder's other options (batch sizes, promptTokens, maxLength) mean nothing here: no
// batch is padded, no pooling leaves a prompt out, and only tokenizer.json truncates.
Napi::Value StaticEmbeddingWrap::Encode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!model_) return RejectDisposed(env);
  if (info.Length() < 2 || !info[1].IsObject()) ThrowTypeError(env, "encode(texts, options)");
  const Napi::Object options = info[1].As<Napi::Object>();
  const double truncate_dim = GetNumber(options, "truncateDim", 0);
  if (!(truncate_dim >= 0)) ThrowTypeError(env, "truncateDim must be non-negative");
  pipeline::StaticEncodeParams params;
  params.normalize = GetBool(options, "normalize", false);
  params.truncate_dim = static_cast<size_t>(truncate_dim);
  return owner_->Submit(env, std::make_unique<StaticEncodeJob>(env, model_, TextsArg::Read(env, info[0], "texts"), params));
}

// No pooling module can leave a prompt out of a StaticEmbedding's mean.
Napi::Value StaticEmbeddingWrap::PromptLength(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), 0); }

namespace {

Napi::Value Reject(Napi::Env env, const std::string& message) {
  Napi::Promise::Deferred deferred = Napi::Promise::Deferred::New(env);
  deferred.Reject(StatusToError(env, InvalidArgument(message)).Value());
  return deferred.Promise();
}

}  // namespace

Napi::Value StaticEmbeddingWrap::Tokenize(const Napi::CallbackInfo& info) {
  if (!model_) return RejectDisposed(info.Env());
  return Reject(info.Env(), "tokenize() pads a batch for a transformer; a StaticEmbedding model has none");
}

Napi::Value StaticEmbeddingWrap::EncodeTokens(const Napi::CallbackInfo& info) {
  if (!model_) return RejectDisposed(info.Env());
  return Reject(info.Env(), "a StaticEmbedding model has no token embeddings (its output is the mean of its table's rows)");
}

Napi::Value StaticEmbeddingWrap::Decode(const Napi::CallbackInfo& info) {
  if (!model_) return RejectDisposed(info.Env());
  return Reject(info.Env(), "decode() is not served for a StaticEmbedding model yet");
}

// No ONNX Runtime tensors: always zeros.
Napi::Value StaticEmbeddingWrap::IoStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object stats = Napi::Object::New(env);
  stats.Set("runs", Napi::Number::New(env, 0));
  stats.Set("tensorsCreated", Napi::Number::New(env, 0));
  stats.Set("bufferGrowths", Napi::Number::New(env, 0));
  return stats;
}

Napi::Value StaticEmbeddingWrap::Dispose(const Napi::CallbackInfo& info) {
  model_.reset();
  return CloseOwnerOnce(info.Env(), owner_.get());
}

}  // namespace sk::napi
