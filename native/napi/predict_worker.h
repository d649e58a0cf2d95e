// predict(firsts, seconds, batchSize, maxLength): pair tokenization and the classification run off the
// main thread, logits written straight into a Float32Array allocated up front.
#pragma once

#include <napi.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "napi/model_owner.h"
#include "napi/texts_arg.h"
#include "pipeline/cross_encoder.h"

namespace sk::napi {

class PredictWorker : public OwnerJob {
 public:
  PredictWorker(Napi::Env env, std::shared_ptr<pipeline::CrossEncoderModel> model,
                TextsArg firsts, TextsArg seconds, size_t batch_size, size_t max_length);

 private:
  Status Run() override;
  Napi::Value Result(Napi::Env env) override;

  std::shared_ptr<pipeline::CrossEncoderModel> model_;
  TextsArg firsts_, seconds_;
  size_t batch_size_;
  size_t max_length_;  // 0: the length the model loaded with
  Napi::Reference<Napi::Float32Array> output_;
  float* output_data_ = nullptr;
};

}  // namespace sk::napi
