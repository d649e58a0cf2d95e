// A fixed set of worker threads for the core's data-parallel kernels (search, similarity,
// quantization). Not the libuv pool: a Node AsyncWorker's Execute() calls ParallelFor and
// blocks its libuv thread while our workers (plus the caller) do the work.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace sk {

class ThreadPool {
 public:
  // `threads` counts the calling thread, so ThreadPool(1) starts no worker and runs inline.
  // 0 means std::thread::hardware_concurrency().
  explicit ThreadPool(size_t threads = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  size_t size() const { return workers_.size() + 1; }

  // Runs task(index, slot) for index in [0, tasks), spread over the pool; `slot` is in
  // [0, size()) and no two concurrent calls share one, so callers can keep per-slot scratch.
  // Returns when every task has finished. Calls from several threads are serialized; a task
  // must not call ParallelFor on the same pool (it would wait for itself).
  void ParallelFor(size_t tasks, const std::function<void(size_t index, size_t slot)>& task);

  // The process-wide pool, sized from SENTENCEKIT_THREADS or the hardware.
  static ThreadPool& Shared();

 private:
  void WorkerLoop(size_t slot);
  void RunTasks(size_t slot);

  std::vector<std::thread> workers_;
  std::mutex call_mutex_;  // one ParallelFor at a time
  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable work_done_;
  const std::function<void(size_t, size_t)>* task_ = nullptr;
  size_t task_count_ = 0;
  size_t next_task_ = 0;
  size_t busy_workers_ = 0;
  size_t generation_ = 0;
  bool stopping_ = false;
};

}  // namespace sk
