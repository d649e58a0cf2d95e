// JavaScript face of pipeline::SparseEncoderModel: `loadSparseEncoder(options)` resolves to
// an instance with `vocabSize`, `encode(texts, batchSize, maxActiveDims)`,
// `idsToTokens(ids)` and `dispose()`.
#pragma once

#include <napi.h>

#include <memory>

#include "napi/model_owner.h"

#include "pipeline/sparse_encoder.h"

namespace sk::napi {

class SparseEncoderWrap : public Napi::ObjectWrap<SparseEncoderWrap> {
 public:
  static void Init(Napi::Env env, Napi::Object exports);
  static Napi::Object NewInstance(Napi::Env env, std::shared_ptr<pipeline::SparseEncoderModel> model);

  explicit SparseEncoderWrap(const Napi::CallbackInfo& info);

 private:
  Napi::Value VocabSize(const Napi::CallbackInfo& info);
  Napi::Value Encode(const Napi::CallbackInfo& info);
  Napi::Value IdsToTokens(const Napi::CallbackInfo& info);
  Napi::Value Dispose(const Napi::CallbackInfo& info);

  std::shared_ptr<pipeline::SparseEncoderModel> model_;
  // Runs every operation of this model, in order, on the model\'s own thread.
  std::unique_ptr<ModelOwner> owner_;
};

}  // namespace sk::napi
