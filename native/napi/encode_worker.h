// encode(texts, options): tokenization, the ONNX run, pooling and normalization
// off the main thread, written straight into a Float32Array allocated up front.
#pragma once

#include <napi.h>

#include <memory>
#include <string>
#include <vector>

#include "napi/model_owner.h"
#include "napi/texts_arg.h"
#include "pipeline/sentence_encoder.h"

namespace sk::napi {

class EncodeWorker : public OwnerJob {
 public:
  EncodeWorker(Napi::Env env, std::shared_ptr<pipeline::SentenceEncoder> encoder,
               TextsArg texts, pipeline::EncodeParams params);

 private:
  Status Run() override;
  Napi::Value Result(Napi::Env env) override;

  std::shared_ptr<pipeline::SentenceEncoder> encoder_;
  TextsArg texts_;
  pipeline::EncodeParams params_;
  // The result array, kept alive by this reference while the worker writes into it.
  Napi::Reference<Napi::Float32Array> output_;
  float* output_data_ = nullptr;
};

}  // namespace sk::napi
