// JavaScript face of pipeline::CrossEncoderModel: `loadCrossEncoder(options)` resolves to an
// instance with `numLabels`, `predict(firsts, seconds, batchSize, maxLength?)`,
// `predictTexts(texts, batchSize, maxLength?)` and `dispose()`;
// every run on the model's owner thread.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "napi/errors.h"
#include "napi/model_bindings.h"
#include "napi/model_options.h"
#include "napi/model_wrap.h"
#include "napi/texts_arg.h"
#include "pipeline/cross_encoder.h"

namespace sk::napi {
namespace {

using Wrap = ModelWrap<pipeline::CrossEncoderModel>;

Wrap::Loader ReadLoader(const Napi::Object& options) {
  const pipeline::ModelFiles files = ReadModelFiles(options);
  const pipeline::Placement placement = ReadPlacement(options);
  return [files, placement](std::unique_ptr<pipeline::CrossEncoderModel>* out) {
    return pipeline::CrossEncoderModel::Load(files, placement, out);
  };
}

// predict(firsts: Texts, seconds: Texts, batchSize: number, maxLength?: number) (Texts: napi/texts_arg.h):
// Promise<Float32Array>, pair tokenization and the classification run off the main thread, the
// logits written straight into it.
Napi::Value Predict(const Napi::CallbackInfo& info, Wrap& wrap) {
  Napi::Env env = info.Env();
  if (!wrap.model()) return RejectDisposed(env);
  if (info.Length() < 3 || !info[2].IsNumber()) ThrowTypeError(env, "predict(firsts, seconds, batchSize)");
  auto firsts = std::make_shared<TextsArg>(TextsArg::Read(env, info[0], "firsts"));
  auto seconds = std::make_shared<TextsArg>(TextsArg::Read(env, info[1], "seconds"));
  if (firsts->size() != seconds->size()) ThrowTypeError(env, "firsts and seconds must have the same length");
  const double batch_size = info[2].As<Napi::Number>().DoubleValue();
  if (!(batch_size >= 1)) ThrowTypeError(env, "batchSize must be a positive integer");
  const size_t max_length = ReadMaxLength(env, info[3]);
  return wrap.Start(env, FloatArraySteps(env, firsts->size() * wrap.model()->num_labels(),
                                         [model = wrap.model(), firsts, seconds, batch_size = static_cast<size_t>(batch_size),
                                          max_length](float* logits) {
                                           std::vector<std::string> a = firsts->TakeStrings(), b = seconds->TakeStrings();
                                           std::vector<std::pair<std::string, std::string>> pairs;
                                           pairs.reserve(a.size());
                                           for (size_t i = 0; i < a.size(); ++i) pairs.emplace_back(std::move(a[i]), std::move(b[i]));
                                           return model->Predict(pairs, batch_size, max_length, logits);
                                         }));
}

// predictTexts(texts: Texts, batchSize: number, maxLength?: number): Promise<Float32Array>,
// predict() for single texts (CrossEncoderModel::PredictTexts).
Napi::Value PredictTexts(const Napi::CallbackInfo& info, Wrap& wrap) {
  Napi::Env env = info.Env();
  if (!wrap.model()) return RejectDisposed(env);
  if (info.Length() < 2 || !info[1].IsNumber()) ThrowTypeError(env, "predictTexts(texts, batchSize)");
  auto texts = std::make_shared<TextsArg>(TextsArg::Read(env, info[0], "texts"));
  const double batch_size = info[1].As<Napi::Number>().DoubleValue();
  if (!(batch_size >= 1)) ThrowTypeError(env, "batchSize must be a positive integer");
  const size_t max_length = ReadMaxLength(env, info[2]);
  return wrap.Start(env, FloatArraySteps(env, texts->size() * wrap.model()->num_labels(),
                                         [model = wrap.model(), texts, batch_size = static_cast<size_t>(batch_size),
                                          max_length](float* logits) {
                                           return model->PredictTexts(texts->Strings(), batch_size, max_length, logits);
                                         }));
}

}  // namespace

void InitCrossEncoder(Napi::Env env, Napi::Object exports) {
  Wrap::Define<ReadLoader>(env, exports, "NativeCrossEncoder", "loadCrossEncoder", "sentencekit:model",
               {Wrap::Size<&pipeline::CrossEncoderModel::num_labels>("numLabels"), Wrap::Method<Predict>("predict"),
                Wrap::Method<PredictTexts>("predictTexts")});
}

}  // namespace sk::napi
