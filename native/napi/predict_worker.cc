#include "napi/predict_worker.h"

namespace sk::napi {

PredictWorker::PredictWorker(Napi::Env env, std::shared_ptr<pipeline::CrossEncoderModel> model,
                             std::vector<std::pair<std::string, std::string>> pairs, size_t batch_size)
    : OwnerJob(env), model_(std::move(model)), pairs_(std::move(pairs)), batch_size_(batch_size) {
  Napi::Float32Array output = Napi::Float32Array::New(env, pairs_.size() * model_->num_labels());
  output_data_ = output.Data();
  output_ = Napi::Persistent(output);
}

Status PredictWorker::Run() { return model_->Predict(pairs_, batch_size_, output_data_); }

Napi::Value PredictWorker::Result(Napi::Env) { return output_.Value(); }

}  // namespace sk::napi
