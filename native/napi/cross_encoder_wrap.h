// JavaScript face of pipeline::CrossEncoderModel: `loadCrossEncoder(options)` resolves to an
// instance with `numLabels`, `predict(firsts, seconds, batchSize)` and `dispose()`.
#pragma once

#include <napi.h>

#include <memory>

#include "napi/model_owner.h"

#include "pipeline/cross_encoder.h"

namespace sk::napi {

class CrossEncoderWrap : public Napi::ObjectWrap<CrossEncoderWrap> {
 public:
  static void Init(Napi::Env env, Napi::Object exports);
  static Napi::Object NewInstance(Napi::Env env, std::shared_ptr<pipeline::CrossEncoderModel> model);

  explicit CrossEncoderWrap(const Napi::CallbackInfo& info);

 private:
  Napi::Value NumLabels(const Napi::CallbackInfo& info);
  Napi::Value Predict(const Napi::CallbackInfo& info);
  Napi::Value Dispose(const Napi::CallbackInfo& info);

  // Shared with in-flight workers, as in SentenceEncoderWrap.
  std::shared_ptr<pipeline::CrossEncoderModel> model_;
  // Runs every operation of this model, in order, on the model\'s own thread.
  std::unique_ptr<ModelOwner> owner_;
};

}  // namespace sk::napi
