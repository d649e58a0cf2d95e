// JavaScript face of pipeline::SentenceEncoder: `loadSentenceEncoder(options)` resolves to an
// instance with `dimension`, `encode(texts, options)`, `promptLength(prompt)`,
// `tokenize(texts, maxLength)` and `dispose()`.
#pragma once

#include <napi.h>

#include <memory>

#include "napi/model_owner.h"

#include "pipeline/sentence_encoder.h"

namespace sk::napi {

class SentenceEncoderWrap : public Napi::ObjectWrap<SentenceEncoderWrap> {
 public:
  static void Init(Napi::Env env, Napi::Object exports);
  // Wraps a loaded encoder in a new JavaScript object (main thread).
  static Napi::Object NewInstance(Napi::Env env, std::shared_ptr<pipeline::SentenceEncoder> encoder);

  explicit SentenceEncoderWrap(const Napi::CallbackInfo& info);

 private:
  Napi::Value Dimension(const Napi::CallbackInfo& info);
  Napi::Value HiddenSize(const Napi::CallbackInfo& info);
  Napi::Value Encode(const Napi::CallbackInfo& info);
  Napi::Value PromptLength(const Napi::CallbackInfo& info);
  Napi::Value Tokenize(const Napi::CallbackInfo& info);
  Napi::Value Decode(const Napi::CallbackInfo& info);
  Napi::Value EncodeTokens(const Napi::CallbackInfo& info);
  Napi::Value IoStats(const Napi::CallbackInfo& info);
  Napi::Value Dispose(const Napi::CallbackInfo& info);

  // Shared with in-flight workers: dispose() drops this reference and the encoder is freed
  // when the last running batch finishes, never under it.
  std::shared_ptr<pipeline::SentenceEncoder> encoder_;
  // Runs every operation of this model, in order, on the model\'s own thread.
  std::unique_ptr<ModelOwner> owner_;
};

}  // namespace sk::napi
