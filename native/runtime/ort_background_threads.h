// ONNX Runtime's intra-op threads for a session, created by us so that they start at the
// background priority of core/thread_priority.h (ORT creates its pool threads from whichever
// thread loads the session, a libuv worker, so they would not inherit the owner thread's).
#pragma once

#include "core/status.h"
#include "runtime/ort_c_api.h"

namespace sk::ort {

Status UseBackgroundThreads(const OrtApi* api, OrtSessionOptions* options);

}  // namespace sk::ort
