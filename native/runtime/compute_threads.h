// ONNX Runtime's intra-op threads, created by us (SessionOptionsSetCustomCreateThreadFn) so
// they run at the compute niceness as sentencekit's own threads do (core/thread_priority.h).
#pragma once

#include "runtime/ort_c_api.h"

namespace sk::ort {

OrtCustomThreadHandle CreateComputeThread(void* options, OrtThreadWorkerFn worker, void* worker_param);
void JoinComputeThread(OrtCustomThreadHandle handle);

}  // namespace sk::ort
