// The thread pool: every index runs exactly once, slots stay in range and are never shared
// by two tasks at once, and concurrent callers are serialized safely.
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "check.h"
#include "core/thread_pool.h"

TEST(thread_pool_runs_every_index_once) {
  for (size_t threads : {1, 2, 5}) {
    sk::ThreadPool pool(threads);
    CHECK(pool.size() == threads);
    for (size_t tasks : {0, 1, 3, 100}) {
      std::vector<std::atomic<int>> runs(tasks);
      std::vector<std::atomic<int>> busy(pool.size());
      std::atomic<bool> slot_shared{false}, slot_out_of_range{false};
      pool.ParallelFor(tasks, [&](size_t index, size_t slot) {
        if (slot >= pool.size()) {
          slot_out_of_range = true;
          return;
        }
        if (busy[slot].fetch_add(1) != 0) slot_shared = true;
        runs[index].fetch_add(1);
        busy[slot].fetch_sub(1);
      });
      for (size_t i = 0; i < tasks; ++i) CHECK(runs[i].load() == 1) << "threads " << threads << " index " << i;
      CHECK(!slot_shared.load() && !slot_out_of_range.load());
    }
  }
}

TEST(thread_pool_serializes_concurrent_callers) {
  sk::ThreadPool pool(3);
  std::atomic<long> total{0};
  std::vector<std::thread> callers;
  for (int c = 0; c < 4; ++c) {
    callers.emplace_back([&] {
      for (int round = 0; round < 20; ++round) pool.ParallelFor(50, [&](size_t index, size_t) { total += long(index); });
    });
  }
  for (auto& caller : callers) caller.join();
  CHECK(total.load() == 4L * 20 * (49 * 50 / 2));
}

// A task that throws: the call still waits for the running tasks, then rethrows the first
// exception; the pool keeps working afterwards. With and without spinning workers.
TEST(thread_pool_rethrows_a_task_exception_after_the_others_finish) {
  for (unsigned spin : {0u, 200u}) {
    sk::ThreadPool pool(3, spin);
    std::atomic<int> finished{0};
    bool caught = false;
    try {
      pool.ParallelFor(64, [&](size_t index, size_t) {
        if (index == 5) throw std::runtime_error("task 5");
        std::this_thread::sleep_for(std::chrono::microseconds(200));
        finished.fetch_add(1);
      });
    } catch (const std::runtime_error& error) {
      caught = std::string(error.what()) == "task 5";
    }
    CHECK(caught) << "spin " << spin;
    CHECK(finished.load() < 64);
    std::atomic<int> runs{0};
    pool.ParallelFor(10, [&](size_t, size_t) { runs.fetch_add(1); });
    CHECK(runs.load() == 10) << "spin " << spin;
  }
}

