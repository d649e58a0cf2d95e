// The thread pool: every index runs exactly once, slots stay in range and are never shared
// by two tasks at once, and concurrent callers are serialized safely.
#include <atomic>
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
