// load*(options): initialises ONNX Runtime on first use, then loads one model class off the
// main thread and resolves to its JavaScript wrapper. `Load` builds the model from the
// options already read on the main thread; `Wrap::NewInstance` wraps it.
#pragma once

#include <napi.h>

#include <functional>
#include <memory>
#include <string>

#include "napi/ort_library.h"
#include "napi/promise_worker.h"
#include "runtime/ort_runtime.h"

namespace sk::napi {

template <typename Model, typename Wrap>
class LoadModelWorker : public PromiseWorker {
 public:
  using Loader = std::function<Status(std::unique_ptr<Model>*)>;

  LoadModelWorker(Napi::Env env, Loader loader)
      : PromiseWorker(env, "sentencekit:load"), ort_library_path_(OrtLibraryPath(env)), loader_(std::move(loader)) {}

  // Queues the worker and returns its promise.
  static Napi::Promise Start(Napi::Env env, Loader loader) {
    auto* worker = new LoadModelWorker(env, std::move(loader));
    Napi::Promise promise = worker->Promise();
    worker->Queue();
    return promise;
  }

 private:
  Status Run() override {
    // Without ONNX Runtime (the musl and macOS x64 packages ship none) the CPU engine still
    // loads; an ONNX model's session reports why the runtime is missing (OrtSession::Load).
    (void)ort::OrtRuntime::Initialize(ort_library_path_);
    std::unique_ptr<Model> model;
    SK_RETURN_IF_ERROR(loader_(&model));
    model_ = std::move(model);
    return Status::Ok();
  }

  Napi::Value Result(Napi::Env env) override { return Wrap::NewInstance(env, std::move(model_)); }

  std::string ort_library_path_;
  Loader loader_;
  std::shared_ptr<Model> model_;
};

}  // namespace sk::napi
