// Base of every async operation: a Napi::AsyncWorker that settles a Promise. Subclasses copy
// their inputs in the constructor (main thread), do the work in Run() (worker thread, no
// JavaScript, returns a Status; exceptions are caught here) and build the result in Result()
// back on the main thread. Failures reject with a typed SentenceKitError.
#pragma once

#include <napi.h>

#include <exception>
#include <new>

#include "core/status.h"
#include "napi/errors.h"

namespace sk::napi {

class PromiseWorker : public Napi::AsyncWorker {
 public:
  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  explicit PromiseWorker(Napi::Env env, const char* name)
      : Napi::AsyncWorker(env, name), deferred_(Napi::Promise::Deferred::New(env)) {}

  virtual Status Run() = 0;
  virtual Napi::Value Result(Napi::Env env) = 0;

 private:
  void Execute() final {
    try {
      status_ = Run();
    } catch (const std::bad_alloc&) {
      status_ = Status(StatusCode::kRuntime, "out of memory");
    } catch (const std::exception& error) {
      status_ = InternalError(error.what());
    } catch (...) {
      status_ = InternalError("unknown native exception");
    }
    if (!status_.ok()) SetError(status_.message());
  }

  void OnOK() final {
    Napi::HandleScope scope(Env());
    try {
      deferred_.Resolve(Result(Env()));
    } catch (const Napi::Error& error) {
      deferred_.Reject(error.Value());
    }
  }

  void OnError(const Napi::Error&) final {
    Napi::HandleScope scope(Env());
    deferred_.Reject(StatusToError(Env(), status_).Value());
  }

  Napi::Promise::Deferred deferred_;
  Status status_;
};

}  // namespace sk::napi
