#include "napi/predict_worker.h"

namespace sk::napi {

PredictWorker::PredictWorker(Napi::Env env, std::shared_ptr<pipeline::CrossEncoderModel> model,
                             TextsArg firsts, TextsArg seconds, size_t batch_size, size_t max_length)
    : OwnerJob(env),
      model_(std::move(model)),
      firsts_(std::move(firsts)),
      seconds_(std::move(seconds)),
      batch_size_(batch_size),
      max_length_(max_length) {
  Napi::Float32Array output = Napi::Float32Array::New(env, firsts_.size() * model_->num_labels());
  output_data_ = output.Data();
  output_ = Napi::Persistent(output);
}

Status PredictWorker::Run() {
  std::vector<std::string> firsts = firsts_.TakeStrings(), seconds = seconds_.TakeStrings();
  std::vector<std::pair<std::string, std::string>> pairs;
  pairs.reserve(firsts.size());
  for (size_t i = 0; i < firsts.size(); ++i) pairs.emplace_back(std::move(firsts[i]), std::move(seconds[i]));
  return model_->Predict(pairs, batch_size_, max_length_, output_data_);
}

Napi::Value PredictWorker::Result(Napi::Env) { return output_.Value(); }

}  // namespace sk::napi
