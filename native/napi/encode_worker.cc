#include "napi/encode_worker.h"

namespace sk::napi {

EncodeWorker::EncodeWorker(Napi::Env env, std::shared_ptr<pipeline::SentenceEncoder> encoder,
                           TextsArg texts, pipeline::EncodeParams params)
    : OwnerJob(env),
      encoder_(std::move(encoder)),
      texts_(std::move(texts)),
      params_(params) {
  // An ArrayBuffer's backing store never moves, so Run() may write into it off-thread.
  Napi::Float32Array output = Napi::Float32Array::New(env, texts_.size() * encoder_->OutputDimension(params_));
  output_data_ = output.Data();
  output_ = Napi::Persistent(output);
}

Status EncodeWorker::Run() { return encoder_->Encode(texts_.Strings(), params_, output_data_); }

Napi::Value EncodeWorker::Result(Napi::Env) { return output_.Value(); }

}  // namespace sk::napi
