// predict(firsts, seconds, batchSize): pair tokenization and the classification run off the
// main thread, logits written straight into a Float32Array allocated up front.
#pragma once

#include <napi.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "napi/model_owner.h"
#include "pipeline/cross_encoder.h"

namespace sk::napi {

class PredictWorker : public OwnerJob {
 public:
  PredictWorker(Napi::Env env, std::shared_ptr<pipeline::CrossEncoderModel> model,
                std::vector<std::pair<std::string, std::string>> pairs, size_t batch_size);

 private:
  Status Run() override;
  Napi::Value Result(Napi::Env env) override;

  std::shared_ptr<pipeline::CrossEncoderModel> model_;
  std::vector<std::pair<std::string, std::string>> pairs_;
  size_t batch_size_;
  Napi::Reference<Napi::Float32Array> output_;
  float* output_data_ = nullptr;
};

}  // namespace sk::napi
