// The one shape of an operation on a model: a Run step off the main thread (no JavaScript;
// returns a Status) and a Result step on it afterwards, with the inputs copied before either,
// on the main thread, into what the two steps capture. It follows the PromiseJob contract
// (promise_job.h): exceptions and failed Statuses become the same typed rejections for every
// operation. A model's runs go to its owner thread (model_owner.h); loads, which have no owner
// yet, and the routes without one go to the libuv pool.
#pragma once

#include <napi.h>

#include <cstddef>
#include <functional>

#include "core/status.h"
#include "napi/model_owner.h"

namespace sk::napi {

struct JobSteps {
  // Off the main thread. A capture that holds JavaScript references is destroyed with the job,
  // on the main thread.
  std::function<Status()> run;
  // Main thread, only after run() succeeded.
  std::function<Napi::Value(Napi::Env)> result;
};

// Queues `steps` on `owner` (after the jobs already queued there), or on the libuv pool when
// `owner` is null, and returns the job's promise. Main thread.
Napi::Promise StartJob(Napi::Env env, ModelOwner* owner, JobSteps steps);

// Steps whose run writes `length` floats straight into the Float32Array the promise resolves
// with, made here on the main thread (an ArrayBuffer's backing store never moves, so the run may
// write into it off the main thread): encode() and predict() write their rows into the array
// the caller receives.
JobSteps FloatArraySteps(Napi::Env env, size_t length, std::function<Status(float* out)> run);

}  // namespace sk::napi
