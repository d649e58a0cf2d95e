#include "core/thread_pool.h"

#include <chrono>
#include <cstdlib>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define SK_CPU_RELAX() _mm_pause()
#else
#define SK_CPU_RELAX() ((void)0)
#endif

#include "core/config.h"
#include "core/thread_priority.h"

namespace sk {

ThreadPool::ThreadPool(size_t threads, unsigned spin_microseconds) : spin_microseconds_(spin_microseconds) {
  if (threads == 0) threads = std::thread::hardware_concurrency();
  if (threads == 0) threads = 1;
  try {
    for (size_t slot = 1; slot < threads; ++slot) {
      workers_.emplace_back([this, slot] {
        LowerComputeThreadPriority();
        WorkerLoop(slot);
      });
    }
  } catch (...) {
    // The system refused a thread: the ones started must be joined before the pool unwinds.
    StopJoining(workers_.size());
    throw;
  }
}

ThreadPool::~ThreadPool() { StopJoining(workers_.size()); }

void ThreadPool::StopJoining(size_t started) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  for (size_t i = 0; i < started; ++i) {
    if (workers_[i].joinable()) workers_[i].join();
  }
}

ThreadPool& ThreadPool::Shared() {
  static ThreadPool pool(GetConfig().threads);
  return pool;
}

template <typename Done>
bool ThreadPool::Spin(Done&& done) const {
  if (spin_microseconds_ == 0) return done();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(spin_microseconds_);
  for (unsigned round = 0;; ++round) {
    if (done()) return true;
    SK_CPU_RELAX();
    if ((round & 63) == 63 && std::chrono::steady_clock::now() >= deadline) return done();
  }
}

// Tasks are claimed with one atomic increment each, so many small tasks (one attention head
// of one short sequence) do not queue on a lock.
void ThreadPool::RunTasks(const std::function<void(size_t, size_t)>& task, size_t count, size_t slot) {
  for (;;) {
    const size_t index = next_task_.fetch_add(1, std::memory_order_relaxed);
    if (index >= count) return;
    try {
      task(index, slot);
    } catch (...) {
      // Keep the first; the tasks not yet claimed are given up.
      std::lock_guard<std::mutex> lock(mutex_);
      if (!error_) error_ = std::current_exception();
      next_task_.store(count, std::memory_order_relaxed);
      return;
    }
  }
}

void ThreadPool::WorkerLoop(size_t slot) {
  size_t seen_generation = 0;
  for (;;) {
    Spin([&] { return stopping_.load(std::memory_order_acquire) || generation_.load(std::memory_order_acquire) != seen_generation; });
    std::unique_lock<std::mutex> lock(mutex_);
    work_ready_.wait(lock, [&] { return stopping_ || generation_ != seen_generation; });
    if (stopping_) return;
    seen_generation = generation_;
    const auto* task = task_;
    const size_t count = task_count_;
    ++busy_workers_;
    lock.unlock();
    if (task != nullptr) RunTasks(*task, count, slot);
    lock.lock();
    if (--busy_workers_ == 0) work_done_.notify_all();
  }
}

void ThreadPool::ParallelFor(size_t tasks, const std::function<void(size_t, size_t)>& task) {
  if (tasks == 0) return;
  std::lock_guard<std::mutex> call_lock(call_mutex_);
  if (workers_.empty() || tasks == 1) {
    for (size_t i = 0; i < tasks; ++i) task(i, 0);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    task_ = &task;
    task_count_ = tasks;
    next_task_.store(0, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
  }
  work_ready_.notify_all();
  RunTasks(task, tasks, 0);
  // Every task is claimed; wait for the workers still running one. A worker that wakes late
  // finds no task left and leaves at once.
  Spin([&] { return busy_workers_.load(std::memory_order_acquire) == 0; });
  std::unique_lock<std::mutex> lock(mutex_);
  work_done_.wait(lock, [&] { return busy_workers_ == 0; });
  task_ = nullptr;
  task_count_ = 0;
  if (error_) {
    std::exception_ptr error = error_;
    error_ = nullptr;
    std::rethrow_exception(error);
  }
}

}  // namespace sk
