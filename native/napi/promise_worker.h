// Base of the async operations that run on the libuv pool (model loads, the search,
// similarity and device-corpus kernels, static sparse encoding): a PromiseJob queued as a
// Napi::AsyncWorker. Model runs go to the model's own thread instead (OwnerJob, model_owner.h).
#pragma once

#include <napi.h>

#include "napi/promise_job.h"

namespace sk::napi {

class PromiseWorker : public Napi::AsyncWorker, public PromiseJob {
 protected:
  explicit PromiseWorker(Napi::Env env, const char* name) : Napi::AsyncWorker(env, name), PromiseJob(env) {}

 private:
  void Execute() final { RunCatchingExceptions(); }
  // Settle() rejects from the Status too, so AsyncWorker's own error path (SetError, OnError)
  // is never taken: every outcome arrives here.
  void OnOK() final { Settle(Env()); }
};

}  // namespace sk::napi
