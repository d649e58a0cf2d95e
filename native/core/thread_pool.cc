#include "core/thread_pool.h"

#include <cstdlib>

namespace sk {

ThreadPool::ThreadPool(size_t threads) {
  if (threads == 0) threads = std::thread::hardware_concurrency();
  if (threads == 0) threads = 1;
  for (size_t slot = 1; slot < threads; ++slot) {
    workers_.emplace_back([this, slot] { WorkerLoop(slot); });
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  for (std::thread& worker : workers_) worker.join();
}

ThreadPool& ThreadPool::Shared() {
  static ThreadPool pool([] {
    const char* env = std::getenv("SENTENCEKIT_THREADS");
    const long wanted = env != nullptr ? std::strtol(env, nullptr, 10) : 0;
    return wanted > 0 ? static_cast<size_t>(wanted) : size_t{0};
  }());
  return pool;
}

// Tasks are claimed one at a time under the lock: our tasks are coarse (a block of rows),
// so the lock is not contended enough to need an atomic counter.
void ThreadPool::RunTasks(size_t slot) {
  std::unique_lock<std::mutex> lock(mutex_);
  while (next_task_ < task_count_) {
    const size_t index = next_task_++;
    const auto* task = task_;
    lock.unlock();
    (*task)(index, slot);
    lock.lock();
  }
}

void ThreadPool::WorkerLoop(size_t slot) {
  size_t seen_generation = 0;
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    work_ready_.wait(lock, [&] { return stopping_ || generation_ != seen_generation; });
    if (stopping_) return;
    seen_generation = generation_;
    ++busy_workers_;
    lock.unlock();
    RunTasks(slot);
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
    next_task_ = 0;
    ++generation_;
  }
  work_ready_.notify_all();
  RunTasks(0);
  std::unique_lock<std::mutex> lock(mutex_);
  // Every task is claimed; wait for the workers still running one. A worker that wakes late
  // finds no task left and leaves at once.
  work_done_.wait(lock, [&] { return busy_workers_ == 0; });
  task_ = nullptr;
  task_count_ = 0;
}

}  // namespace sk
