#include "napi/sentence_encoder_wrap.h"

#include <algorithm>

#include "napi/addon_data.h"
#include "napi/encode_worker.h"
#include "napi/errors.h"
#include "napi/js_values.h"
#include "napi/load_model_worker.h"
#include "napi/model_options.h"
#include "napi/texts_arg.h"
#include "napi/token_embeddings_worker.h"
#include "napi/decode_worker.h"
#include "napi/tokenize_worker.h"

namespace sk::napi {
namespace {

std::vector<float> CopyFloats(Napi::Env env, const Napi::Value& value, const char* what) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    ThrowTypeError(env, std::string("expected a Float32Array for ") + what);
  }
  const Napi::Float32Array array = value.As<Napi::Float32Array>();
  return std::vector<float>(array.Data(), array.Data() + array.ElementLength());
}

// { inFeatures, outFeatures, weight, bias?, activation, useResidual?, residualWeight? }
pipeline::DenseLayer ReadDenseLayer(Napi::Env env, const Napi::Value& value) {
  if (!value.IsObject()) ThrowTypeError(env, "expected a Dense layer object");
  const Napi::Object object = value.As<Napi::Object>();
  pipeline::DenseLayer layer;
  layer.in_features = static_cast<size_t>(GetNumber(object, "inFeatures", 0));
  layer.out_features = static_cast<size_t>(GetNumber(object, "outFeatures", 0));
  layer.weight = CopyFloats(env, object.Get("weight"), "Dense weight");
  if (!object.Get("bias").IsUndefined()) layer.bias = CopyFloats(env, object.Get("bias"), "Dense bias");
  Status status = pipeline::ParseDenseActivation(GetString(object, "activation"), &layer.activation);
  if (!status.ok()) ThrowTypeError(env, status.message());
  layer.use_residual = GetBool(object, "useResidual", false);
  if (!object.Get("residualWeight").IsUndefined()) {
    layer.residual_weight = CopyFloats(env, object.Get("residualWeight"), "Dense residual weight");
  }
  return layer;
}

// loadSentenceEncoder({ ...model files, pooling: string[], dense?: DenseLayer[], normalizeModule? })
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
  config.normalize_module = GetBool(options, "normalizeModule", false);
  config.placement = ReadPlacement(options);
  const Napi::Value dense = options.Get("dense");
  if (dense.IsArray()) {
    const Napi::Array layers = dense.As<Napi::Array>();
    for (uint32_t i = 0; i < layers.Length(); ++i) config.dense.push_back(ReadDenseLayer(env, layers.Get(i)));
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
       InstanceMethod<&SentenceEncoderWrap::PromptLength>("promptLength"),
       InstanceMethod<&SentenceEncoderWrap::Tokenize>("tokenize"),
       InstanceMethod<&SentenceEncoderWrap::Decode>("decode"),
       InstanceMethod<&SentenceEncoderWrap::EncodeTokens>("encodeTokens"),
       InstanceMethod<&SentenceEncoderWrap::IoStats>("ioStats"),
       InstanceMethod<&SentenceEncoderWrap::Dispose>("dispose")});
  GetAddonData(env).sentence_encoder_class = Napi::Persistent(constructor);
  exports.Set("loadSentenceEncoder", Napi::Function::New(env, LoadSentenceEncoder, "loadSentenceEncoder"));
}

Napi::Object SentenceEncoderWrap::NewInstance(Napi::Env env,
                                              std::shared_ptr<pipeline::SentenceEncoder> encoder) {
  Napi::Object object = GetAddonData(env).sentence_encoder_class.New({});
  SentenceEncoderWrap* wrap = SentenceEncoderWrap::Unwrap(object);
  wrap->encoder_ = std::move(encoder);
  wrap->owner_ = std::make_unique<ModelOwner>(env, object, "sentencekit:model");
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

// encode(texts: Texts (napi/texts_arg.h), { batchSize, normalize, truncateDim, promptTokens, maxLength? }): Promise<Float32Array>
Napi::Value SentenceEncoderWrap::Encode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!encoder_) return RejectDisposed(env);
  if (info.Length() < 2 || !info[1].IsObject()) ThrowTypeError(env, "encode(texts, options)");
  const Napi::Object options = info[1].As<Napi::Object>();
  pipeline::EncodeParams params;
  const double batch_size = GetNumber(options, "batchSize", 32);
  const double truncate_dim = GetNumber(options, "truncateDim", 0);
  const double prompt_tokens = GetNumber(options, "promptTokens", 0);
  if (!(batch_size >= 1) || !(truncate_dim >= 0) || !(prompt_tokens >= 0)) {
    ThrowTypeError(env, "batchSize must be positive; truncateDim and promptTokens non-negative");
  }
  params.batch_size = static_cast<size_t>(batch_size);
  params.normalize = GetBool(options, "normalize", false);
  params.truncate_dim = static_cast<size_t>(truncate_dim);
  params.max_batch_tokens = static_cast<size_t>(std::max(0.0, GetNumber(options, "maxBatchTokens", 0)));
  params.prompt_tokens = static_cast<size_t>(prompt_tokens);
  params.max_length = ReadMaxLength(env, options.Get("maxLength"));
  const double max_padding = GetNumber(options, "maxPadding", 1);
  if (!(max_padding >= 0 && max_padding <= 1)) ThrowTypeError(env, "maxPadding must be in [0, 1]");
  params.max_padding = max_padding;
  return owner_->Submit(env, std::make_unique<EncodeWorker>(env, encoder_, TextsArg::Read(env, info[0], "texts"), params));
}

// encodeTokens(texts: Texts, batchSize: number, maxLength?: number): Promise<{ data, tokenCounts }>
Napi::Value SentenceEncoderWrap::EncodeTokens(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!encoder_) return RejectDisposed(env);
  if (info.Length() < 2 || !info[1].IsNumber() || !(info[1].As<Napi::Number>().DoubleValue() >= 1)) {
    ThrowTypeError(env, "encodeTokens(texts, batchSize, maxLength?)");
  }
  const size_t max_length = ReadMaxLength(env, info[2]);
  return owner_->Submit(env, std::make_unique<TokenEmbeddingsWorker>(env, encoder_, TextsArg::Read(env, info[0], "texts"),
                                           static_cast<size_t>(info[1].As<Napi::Number>().DoubleValue()), max_length));
}

// promptLength(prompt): the prompt's tokens with special tokens but without a trailing one
// ([SEP], </s>), as sentence-transformers measures prompts for include_prompt: false.
Napi::Value SentenceEncoderWrap::PromptLength(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!encoder_) throw StatusToError(env, Status(StatusCode::kDisposed, "the model has been disposed"));
  if (info.Length() < 1 || !info[0].IsString()) ThrowTypeError(env, "promptLength(prompt)");
  sk::tok::Encoding encoding;
  Status status = encoder_->tokenizer().Encode(info[0].As<Napi::String>().Utf8Value(), {}, &encoding);
  if (!status.ok()) throw StatusToError(env, status);
  size_t length = encoding.ids.size();
  if (length > 0 && encoding.special_tokens_mask.back() != 0) length -= 1;
  return Napi::Number::New(env, static_cast<double>(length));
}

// tokenize(texts, maxLength): the model's tokenizer with truncation and padding (napi/tokenize_worker.h).
Napi::Value SentenceEncoderWrap::Tokenize(const Napi::CallbackInfo& info) {
  if (!encoder_) return RejectDisposed(info.Env());
  // Aliasing: the tokenizer pointer keeps the whole encoder alive while the job waits.
  return SubmitTokenize(info, owner_.get(), std::shared_ptr<const tok::Tokenizer>(encoder_, &encoder_->tokenizer()),
                        encoder_->pad_id(), encoder_->pads_left(), encoder_->truncation_side());
}

// decode(ids, skipSpecialTokens): each row of ids back to text (napi/decode_worker.h).
Napi::Value SentenceEncoderWrap::Decode(const Napi::CallbackInfo& info) {
  if (!encoder_) return RejectDisposed(info.Env());
  return SubmitDecode(info, owner_.get(), std::shared_ptr<const tok::Tokenizer>(encoder_, &encoder_->tokenizer()));
}

// ioStats(): { runs, tensorsCreated, bufferGrowths } since the model loaded (see ort::IoCounters).
Napi::Value SentenceEncoderWrap::IoStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!encoder_) throw StatusToError(env, Status(StatusCode::kDisposed, "the model has been disposed"));
  const ort::IoCounters counters = encoder_->IoCounters();
  Napi::Object stats = Napi::Object::New(env);
  stats.Set("runs", Napi::Number::New(env, static_cast<double>(counters.runs)));
  stats.Set("tensorsCreated", Napi::Number::New(env, static_cast<double>(counters.tensors_created)));
  stats.Set("bufferGrowths", Napi::Number::New(env, static_cast<double>(counters.buffer_growths)));
  return stats;
}

Napi::Value SentenceEncoderWrap::Dispose(const Napi::CallbackInfo& info) {
  encoder_.reset();
  return CloseOwnerOnce(info.Env(), owner_.get());
}

}  // namespace sk::napi
