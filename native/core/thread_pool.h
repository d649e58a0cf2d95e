// A fixed set of worker threads for the core's data-parallel kernels (search, similarity,
// quantization). Not the libuv pool: a Node AsyncWorker's Execute() calls ParallelFor and
// blocks its libuv thread while our workers (plus the caller) do the work.
#pragma once

#include <atomic>
#include <condition_variable>
#include <exception>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace sk {

class ThreadPool {
 public:
  // `threads` counts the calling thread, so ThreadPool(1) starts no worker and runs inline.
  // 0 means std::thread::hardware_concurrency(). With `spin_microseconds`, idle workers (and
  // a caller waiting for them) poll for that long before sleeping: for callers that run many
  // short parallel sections back to back (the int8 engine: about 55 per batch), where a
  // futex wake per section left the second core joining too late to help.
  explicit ThreadPool(size_t threads = 0, unsigned spin_microseconds = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  size_t size() const { return workers_.size() + 1; }

  // Runs task(index, slot) for index in [0, tasks), spread over the pool; `slot` is in
  // [0, size()) and no two concurrent calls share one, so callers can keep per-slot scratch.
  // Returns when every task has finished. A task that throws stops the tasks not yet claimed;
  // the first exception is rethrown here once every running task has returned. Calls from several threads are serialized; a task
  // must not call ParallelFor on the same pool (it would wait for itself).
  void ParallelFor(size_t tasks, const std::function<void(size_t index, size_t slot)>& task);

  // The process-wide pool, sized from SENTENCEKIT_THREADS or the hardware.
  static ThreadPool& Shared();

 private:
  void WorkerLoop(size_t slot);
  void RunTasks(const std::function<void(size_t, size_t)>& task, size_t count, size_t slot);
  void StopJoining(size_t started);
  // Polls `done` for up to the spin time; whether it became true.
  template <typename Done>
  bool Spin(Done&& done) const;

  std::vector<std::thread> workers_;
  std::mutex call_mutex_;  // one ParallelFor at a time
  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable work_done_;
  const unsigned spin_microseconds_;
  // Written under mutex_ before generation_ moves; workers copy them under mutex_.
  const std::function<void(size_t, size_t)>* task_ = nullptr;
  size_t task_count_ = 0;
  std::atomic<size_t> next_task_{0};
  std::atomic<size_t> busy_workers_{0};  // changed under mutex_; read without it while spinning
  std::atomic<size_t> generation_{0};    // likewise
  std::atomic<bool> stopping_{false};
  std::exception_ptr error_;  // the running call's first exception, under mutex_
};

}  // namespace sk
