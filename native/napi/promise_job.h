// The contract every Promise-returning native operation follows, whichever thread runs it
// (PromiseWorker: the libuv pool; OwnerJob: a model's owner thread): inputs are copied in the
// constructor (main thread), the work is done in Run() (off the main thread, no JavaScript,
// returns a Status), and the result is built in Result() (main thread). Running and settling
// live here once, so both kinds of job turn exceptions and failures into the same rejections.
#pragma once

#include <napi.h>

#include "core/status.h"

namespace sk::napi {

class PromiseJob {
 public:
  virtual ~PromiseJob() = default;
  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  explicit PromiseJob(Napi::Env env) : deferred_(Napi::Promise::Deferred::New(env)) {}

  virtual Status Run() = 0;
  virtual Napi::Value Result(Napi::Env env) = 0;

  // Off the main thread: Run(), with any C++ exception turned into a failed Status, since
  // nothing may unwind out of a worker thread.
  void RunCatchingExceptions();
  // Main thread: rejects with a typed SentenceKitError when Run() failed, otherwise resolves
  // with Result(); a JavaScript error thrown while building the result rejects instead.
  void Settle(Napi::Env env);

 private:
  Napi::Promise::Deferred deferred_;
  Status status_;
};

}  // namespace sk::napi
