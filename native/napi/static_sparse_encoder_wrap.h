// JavaScript face of pipeline::StaticSparseEncoderModel: `loadStaticSparseEncoder(options)`
// resolves to an instance with the same surface as a SPLADE route (`vocabSize`,
// `encode(texts, batchSize, maxActiveDims)`, `idsToTokens(ids)`, `dispose()`), so lib/ routes
// queries and documents alike.
#pragma once

#include <napi.h>

#include <memory>

#include "pipeline/static_sparse_encoder.h"

namespace sk::napi {

class StaticSparseEncoderWrap : public Napi::ObjectWrap<StaticSparseEncoderWrap> {
 public:
  static void Init(Napi::Env env, Napi::Object exports);
  static Napi::Object NewInstance(Napi::Env env, std::shared_ptr<pipeline::StaticSparseEncoderModel> model);

  explicit StaticSparseEncoderWrap(const Napi::CallbackInfo& info);

 private:
  Napi::Value VocabSize(const Napi::CallbackInfo& info);
  Napi::Value Encode(const Napi::CallbackInfo& info);
  Napi::Value IdsToTokens(const Napi::CallbackInfo& info);
  Napi::Value Dispose(const Napi::CallbackInfo& info);

  std::shared_ptr<pipeline::StaticSparseEncoderModel> model_;
};

}  // namespace sk::napi
