#include "napi/model_job.h"

#include <memory>
#include <utility>

#include "napi/promise_worker.h"

namespace sk::napi {
namespace {

class OwnerStepsJob : public OwnerJob {
 public:
  OwnerStepsJob(Napi::Env env, JobSteps steps) : OwnerJob(env), steps_(std::move(steps)) {}

 private:
  Status Run() override { return steps_.run(); }
  Napi::Value Result(Napi::Env env) override { return steps_.result(env); }

  JobSteps steps_;
};

class PoolStepsJob : public PromiseWorker {
 public:
  PoolStepsJob(Napi::Env env, JobSteps steps) : PromiseWorker(env, "sentencekit:job"), steps_(std::move(steps)) {}

 private:
  Status Run() override { return steps_.run(); }
  Napi::Value Result(Napi::Env env) override { return steps_.result(env); }

  JobSteps steps_;
};

}  // namespace

Napi::Promise StartJob(Napi::Env env, ModelOwner* owner, JobSteps steps) {
  if (owner != nullptr) return owner->Submit(env, std::make_unique<OwnerStepsJob>(env, std::move(steps)));
  auto* worker = new PoolStepsJob(env, std::move(steps));  // AsyncWorker deletes itself once settled
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

JobSteps FloatArraySteps(Napi::Env env, size_t length, std::function<Status(float* out)> run) {
  Napi::Float32Array array = Napi::Float32Array::New(env, length);
  auto output = std::make_shared<Napi::Reference<Napi::Float32Array>>(Napi::Persistent(array));
  return {[run = std::move(run), data = array.Data()] { return run(data); },
          [output](Napi::Env) -> Napi::Value { return output->Value(); }};
}

}  // namespace sk::napi
