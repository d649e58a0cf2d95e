// Model threads (each model's owner thread and ONNX Runtime's intra-op threads) run below the
// JavaScript thread's scheduling priority, so that when the cores are busy the event loop
// still gets one at once: a server's timers, I/O and other requests are not held up behind a
// batch. With nothing else runnable the priority changes nothing, so throughput is the same.
#pragma once

namespace sk {

// Raises the calling thread's nice value by kBackgroundNiceIncrement (capped at 19) on Linux,
// where nice is per thread and inherited by the threads it creates; elsewhere does nothing.
// Best effort: a failure leaves the priority as it was.
void LowerCurrentThreadPriority();

constexpr int kBackgroundNiceIncrement = 10;

}  // namespace sk
