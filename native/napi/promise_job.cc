#include "napi/promise_job.h"

#include <exception>
#include <new>

#include "napi/errors.h"

namespace sk::napi {

void PromiseJob::RunCatchingExceptions() {
  try {
    status_ = Run();
  } catch (const std::bad_alloc&) {
    status_ = Status(StatusCode::kRuntime, "out of memory");
  } catch (const std::exception& error) {
    status_ = InternalError(error.what());
  } catch (...) {
    status_ = InternalError("unknown native exception");
  }
}

void PromiseJob::Settle(Napi::Env env) {
  Napi::HandleScope scope(env);
  if (!status_.ok()) {
    deferred_.Reject(StatusToError(env, status_).Value());
    return;
  }
  try {
    deferred_.Resolve(Result(env));
  } catch (const Napi::Error& error) {
    deferred_.Reject(error.Value());
  }
}

}  // namespace sk::napi
