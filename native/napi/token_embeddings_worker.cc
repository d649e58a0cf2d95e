#include "napi/token_embeddings_worker.h"

#include <algorithm>

namespace sk::napi {

TokenEmbeddingsWorker::TokenEmbeddingsWorker(Napi::Env env, std::shared_ptr<pipeline::SentenceEncoder> encoder,
                                             TextsArg texts, size_t batch_size, size_t max_length)
    : OwnerJob(env),
      encoder_(std::move(encoder)),
      texts_(std::move(texts)),
      batch_size_(batch_size),
      max_length_(max_length) {}

Status TokenEmbeddingsWorker::Run() { return encoder_->EncodeTokens(texts_.Strings(), batch_size_, max_length_, &data_, &token_counts_); }

// The total size is known only after tokenization, so the result is copied once.
Napi::Value TokenEmbeddingsWorker::Result(Napi::Env env) {
  Napi::Float32Array data = Napi::Float32Array::New(env, data_.size());
  std::copy(data_.begin(), data_.end(), data.Data());
  Napi::Int32Array counts = Napi::Int32Array::New(env, token_counts_.size());
  std::copy(token_counts_.begin(), token_counts_.end(), counts.Data());
  Napi::Object result = Napi::Object::New(env);
  result.Set("data", data);
  result.Set("tokenCounts", counts);
  return result;
}

}  // namespace sk::napi
