#include "runtime/compute_threads.h"

#include <new>
#include <thread>

#include "core/thread_priority.h"

namespace sk::ort {

OrtCustomThreadHandle CreateComputeThread(void*, OrtThreadWorkerFn worker, void* worker_param) {
  // nullptr tells ORT the thread could not be made (it fails the session load).
  auto* thread = new (std::nothrow) std::thread([worker, worker_param] {
    LowerComputeThreadPriority();
    worker(worker_param);
  });
  return reinterpret_cast<OrtCustomThreadHandle>(thread);
}

void JoinComputeThread(OrtCustomThreadHandle handle) {
  auto* thread = reinterpret_cast<std::thread*>(const_cast<OrtCustomHandleType*>(handle));
  if (thread == nullptr) return;
  if (thread->joinable()) thread->join();
  delete thread;
}

}  // namespace sk::ort
