// The vocabulary half of a sparse route's JavaScript surface (`vocabSize`, `idsToTokens`),
// shared by SparseEncoderWrap (SPLADE) and StaticSparseEncoderWrap: both models are a tokenizer
// plus one output per vocabulary id, so both answer these the same way, synchronously (a
// lookup costs less than a worker hop), whatever runs their encode().
#pragma once

#include <napi.h>

#include <optional>
#include <string>

#include "core/status.h"
#include "napi/errors.h"

namespace sk::napi {

// vocabSize: undefined once the model is disposed (`model` null).
template <typename Model>
Napi::Value VocabSizeOf(Napi::Env env, const Model* model) {
  if (model == nullptr) return env.Undefined();
  return Napi::Number::New(env, static_cast<double>(model->vocab_size()));
}

// idsToTokens(ids: Int32Array): (string | null)[], null for an id outside the vocabulary.
// Throws ERR_DISPOSED once the model is disposed (`model` null).
template <typename Model>
Napi::Value IdsToTokensOf(const Napi::CallbackInfo& info, const Model* model) {
  Napi::Env env = info.Env();
  if (model == nullptr) throw StatusToError(env, Status(StatusCode::kDisposed, "the model has been disposed"));
  if (info.Length() < 1 || !info[0].IsTypedArray()) ThrowTypeError(env, "idsToTokens(ids: Int32Array)");
  Napi::Int32Array ids = info[0].As<Napi::Int32Array>();
  Napi::Array tokens = Napi::Array::New(env, ids.ElementLength());
  for (size_t i = 0; i < ids.ElementLength(); ++i) {
    std::optional<std::string> token = model->tokenizer().IdToToken(ids[i]);
    tokens.Set(static_cast<uint32_t>(i), token ? Napi::Value(Napi::String::New(env, *token)) : env.Null());
  }
  return tokens;
}

}  // namespace sk::napi
