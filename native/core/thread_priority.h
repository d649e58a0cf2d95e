// Compute threads below the JavaScript thread, when asked (SENTENCEKIT_COMPUTE_NICE): each
// model's owner thread, ONNX Runtime's intra-op threads and the int8 engine's lanes can run at
// a lower scheduling priority, so the event loop (and V8's GC helpers) get a core at once
// instead of waiting behind a batch. Off by default: where other busy processes share the
// cores, a niced model gets almost none of them (bench/RESULTS.md, issue 6: 0.8 sentences/s
// beside two busy loops).
#pragma once

namespace sk {

// The niceness compute threads take: SENTENCEKIT_COMPUTE_NICE (1-19), else 0 (the process's
// priority).
int ComputeThreadNice();

// Applies ComputeThreadNice() to the calling thread (Linux: per-thread nice, setpriority on its
// tid; elsewhere nothing). Measured on a quiet 2-core machine under full load (bench/RESULTS.md,
// issue 6): at 10, the event loop's worst delay went from 18 ms to 7 ms with the int8 engine.
void LowerComputeThreadPriority();

}  // namespace sk
