// Compute threads below the JavaScript thread: sentencekit's own threads (each model's owner
// thread, the int8 engine's lanes) can run at a lower scheduling priority, so when the event
// loop has work it gets a core at once instead of waiting behind a batch. See
// LowerComputeThreadPriority().
#pragma once

namespace sk {

// The niceness compute threads take: SENTENCEKIT_COMPUTE_NICE, else kDefaultComputeNice; 0
// leaves them at the process's priority.
int ComputeThreadNice();
constexpr int kDefaultComputeNice = 10;

// Applies ComputeThreadNice() to the calling thread (Linux: per-thread nice, setpriority on its
// tid; elsewhere nothing). Measured on 2 cores under full load (bench/RESULTS.md, issue 6): the
// event loop's worst delay went from 22 ms to 7 ms with the int8 engine, at the same throughput.
void LowerComputeThreadPriority();

}  // namespace sk
