// JavaScript face of pipeline::StaticEmbeddingModel: `loadStaticEmbedding(options)` resolves to
// an instance with the sentence encoder's surface (`dimension`, `hiddenSize`,
// `encode(texts, options)`, `promptLength`, `tokenize`, `encodeTokens`, `ioStats`, `dispose()`),
// so SentenceTransformer runs either through the same scheduling; encode() runs on the model's
// owner thread. tokenize(), encodeTokens() and decode() reject: Python's StaticEmbedding has no
// padded batch and no token embeddings, and the server's token routes are not served for it yet.
#pragma once

#include <napi.h>

#include <memory>

#include "napi/model_owner.h"
#include "pipeline/static_embedding.h"

namespace sk::napi {

class StaticEmbeddingWrap : public Napi::ObjectWrap<StaticEmbeddingWrap> {
 public:
  static void Init(Napi::Env env, Napi::Object exports);
  static Napi::Object NewInstance(Napi::Env env, std::shared_ptr<pipeline::StaticEmbeddingModel> model);

  explicit StaticEmbeddingWrap(const Napi::CallbackInfo& info);

 private:
  Napi::Value Dimension(const Napi::CallbackInfo& info);
  Napi::Value Encode(const Napi::CallbackInfo& info);
  Napi::Value PromptLength(const Napi::CallbackInfo& info);
  Napi::Value Tokenize(const Napi::CallbackInfo& info);
  Napi::Value EncodeTokens(const Napi::CallbackInfo& info);
  Napi::Value Decode(const Napi::CallbackInfo& info);
  Napi::Value IoStats(const Napi::CallbackInfo& info);
  Napi::Value Dispose(const Napi::CallbackInfo& info);

  // Shared with queued jobs, which keep it alive past dispose().
  std::shared_ptr<pipeline::StaticEmbeddingModel> model_;
  std::unique_ptr<ModelOwner> owner_;
};

}  // namespace sk::napi
