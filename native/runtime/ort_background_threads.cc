#include "runtime/ort_background_threads.h"

#include <thread>

#include "core/thread_priority.h"
#include "runtime/ort_runtime.h"

namespace sk::ort {
namespace {

struct BackgroundThread {
  std::thread thread;
};

OrtCustomThreadHandle CreateBackgroundThread(void* /*creation_options*/, OrtThreadWorkerFn work, void* param) {
  try {
    auto* handle = new BackgroundThread{std::thread([work, param] {
      LowerCurrentThreadPriority();
      work(param);
    })};
    return reinterpret_cast<OrtCustomThreadHandle>(handle);
  } catch (...) {
    return nullptr;  // ORT reports a null handle as a failed thread creation
  }
}

void JoinBackgroundThread(OrtCustomThreadHandle raw) {
  auto* handle = reinterpret_cast<BackgroundThread*>(const_cast<OrtCustomHandleType*>(raw));
  handle->thread.join();
  delete handle;
}

}  // namespace

Status UseBackgroundThreads(const OrtApi* api, OrtSessionOptions* options) {
  SK_RETURN_IF_ERROR(FromOrtStatus(api, api->SessionOptionsSetCustomCreateThreadFn(options, &CreateBackgroundThread),
                                   StatusCode::kModelLoad, "setting ONNX Runtime's thread creation"));
  return FromOrtStatus(api, api->SessionOptionsSetCustomJoinThreadFn(options, &JoinBackgroundThread),
                       StatusCode::kModelLoad, "setting ONNX Runtime's thread join");
}

}  // namespace sk::ort
