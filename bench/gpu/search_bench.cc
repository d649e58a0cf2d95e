// Device search throughput for the GPU check (bench/gpu/run.sh): a rows × dim corpus of random
// values made on the host (a counter-based hash, so any row can be regenerated), uploaded once,
// then query batches searched top-10 by dot product. Reported against the device-to-device
// cudaMemcpy bandwidth measured in the same run:
//
//   sentencekit_gpu_search_bench <rows> <dim> <fp16|fp32|int8> <out.json>
//
// corpus GB/s = bytes of the (padded) corpus read per batch / the batch's median time, and
// fraction = that / copy GB/s, where copy GB/s counts bytes read + bytes written (a copy moves
// each byte twice), i.e. the memory traffic a pass over the corpus could at best sustain. Query 0
// of the first batch is checked against a host scan, so a wrong kernel cannot look fast.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "runtime/cuda_backend.h"

namespace {

using Clock = std::chrono::steady_clock;

std::string LibraryDir() {
  const char* dir = std::getenv("SENTENCEKIT_CUDA_LIBRARY_DIR");
  return dir != nullptr && *dir != '\0' ? dir : SENTENCEKIT_CUDA_LIBRARY_DIR;
}

[[noreturn]] void Die(const std::string& message) {
  std::cerr << "sentencekit_gpu_search_bench: " << message << "\n";
  std::exit(1);
}

void Require(const sk::Status& status, const std::string& what) {
  if (!status.ok()) Die(what + ": " + status.message());
}

// Element i of the corpus as a value in [-1, 1) (splitmix64 of its index).
float Value(uint64_t i) {
  uint64_t z = i + 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  return static_cast<float>(static_cast<int32_t>(z >> 32)) / 2147483648.0f;
}

int8_t Int8Value(uint64_t i) { return static_cast<int8_t>(std::lround(Value(i) * 127.0f)); }

template <typename Fn>
void Parallel(size_t count, Fn fn) {
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (size_t i = t; i < count; i += threads) fn(i);
    });
  }
  for (auto& thread : pool) thread.join();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: sentencekit_gpu_search_bench <rows> <dim> <fp16|fp32|int8> <out.json>\n";
    return 2;
  }
  const size_t rows = std::stoull(argv[1]);
  const int dim = std::stoi(argv[2]);
  const std::string kind = argv[3];
  const SkCudaCorpusType type = kind == "fp32" ? SK_CUDA_CORPUS_FLOAT32 : kind == "int8" ? SK_CUDA_CORPUS_INT8
                                                                                         : SK_CUDA_CORPUS_FLOAT16;
  const bool int8 = type == SK_CUDA_CORPUS_INT8;
  const size_t element = type == SK_CUDA_CORPUS_FLOAT32 ? 4 : type == SK_CUDA_CORPUS_FLOAT16 ? 2 : 1;
  const size_t padded = (static_cast<size_t>(dim) + 15) / 16 * 16;
  const double corpus_bytes = static_cast<double>(rows) * padded * element;

  double copy_gbps = 0;
  Require(sk::runtime::MeasureCudaCopyBandwidth(LibraryDir(), 0, size_t{2} << 30, &copy_gbps), "copy bandwidth");
  std::cout << "device-to-device copy: " << copy_gbps << " GB/s (read + write)\n";

  std::unique_ptr<sk::runtime::CudaCorpus> corpus;
  Require(sk::runtime::CudaCorpus::Create(LibraryDir(), 0, type, rows, dim, &corpus), "create corpus");
  const auto upload_start = Clock::now();
  const size_t step = 1u << 20;
  std::vector<float> floats(int8 ? 0 : step * dim);
  std::vector<int8_t> bytes(int8 ? step * dim : 0);
  for (size_t first = 0; first < rows; first += step) {
    const size_t n = std::min(step, rows - first);
    Parallel(n, [&](size_t r) {
      const uint64_t base = (first + r) * static_cast<uint64_t>(dim);
      for (int d = 0; d < dim; ++d) {
        if (int8) bytes[r * dim + d] = Int8Value(base + d);
        else floats[r * dim + d] = Value(base + d);
      }
    });
    Require(corpus->Upload(first, n, int8 ? static_cast<const void*>(bytes.data()) : floats.data()), "upload");
  }
  const double upload_s = std::chrono::duration<double>(Clock::now() - upload_start).count();
  std::cout << "uploaded " << rows << " x " << dim << " " << kind << " in " << upload_s << " s\n";

  const int top_k = 10;
  const uint64_t query_base = uint64_t{1} << 60;  // query values far from the corpus's indexes
  std::ofstream json(argv[4]);
  json << "{\"rows\": " << rows << ", \"dim\": " << dim << ", \"type\": \"" << kind << "\", \"top_k\": " << top_k
       << ", \"corpus_bytes\": " << corpus_bytes << ", \"copy_gb_per_s\": " << copy_gbps << ", \"batches\": [";
  bool first_batch = true, checked = false;
  for (int batch : {1, 8, 32, 128}) {
    std::vector<float> queries(static_cast<size_t>(batch) * dim);
    std::vector<int8_t> queries8(static_cast<size_t>(batch) * dim);
    for (size_t i = 0; i < queries.size(); ++i) {
      queries[i] = Value(query_base + i);
      queries8[i] = Int8Value(query_base + i);
    }
    const void* q = int8 ? static_cast<const void*>(queries8.data()) : queries.data();
    std::vector<int32_t> ids(static_cast<size_t>(batch) * top_k);
    std::vector<float> scores(ids.size());
    Require(corpus->Search(q, batch, top_k, false, ids.data(), scores.data()), "search (warm-up)");
    if (!checked) {
      // Query 0 against a host scan in double over the same values (fp16 rounding moves scores
      // by ~1e-3 here, so compare the k-th score with a tolerance and check every returned score).
      std::vector<double> best(rows);
      Parallel(rows, [&](size_t r) {
        double dot = 0;
        const uint64_t base = r * static_cast<uint64_t>(dim);
        for (int d = 0; d < dim; ++d) {
          dot += int8 ? double(Int8Value(base + d)) * queries8[d] : double(Value(base + d)) * queries[d];
        }
        best[r] = dot;
      });
      std::vector<double> sorted = best;
      std::nth_element(sorted.begin(), sorted.begin() + (top_k - 1), sorted.end(), std::greater<double>());
      const double kth = sorted[top_k - 1];
      const double tolerance = int8 ? 0.0 : type == SK_CUDA_CORPUS_FLOAT16 ? 0.02 : 1e-3;
      for (int i = 0; i < top_k; ++i) {
        const int32_t id = ids[i];
        if (id < 0 || static_cast<size_t>(id) >= rows) Die("check: bad id " + std::to_string(id));
        if (std::fabs(best[id] - scores[i]) > tolerance + 1e-9 || best[id] < kth - 2 * tolerance) {
          Die("check: rank " + std::to_string(i) + " id " + std::to_string(id) + " score " + std::to_string(scores[i]) +
              " host " + std::to_string(best[id]) + ", host k-th " + std::to_string(kth));
        }
      }
      std::cout << "query 0 checked against a host scan: ok (k-th score " << kth << ")\n";
      checked = true;
    }
    std::vector<double> times;
    const auto bench_start = Clock::now();
    while (times.size() < 5 || (times.size() < 50 && Clock::now() - bench_start < std::chrono::seconds(3))) {
      const auto t0 = Clock::now();
      Require(corpus->Search(q, batch, top_k, false, ids.data(), scores.data()), "search");
      times.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
    }
    std::sort(times.begin(), times.end());
    const double median = times[times.size() / 2];
    const double gbps = corpus_bytes / median / 1e9;
    std::printf("batch %4d: median %.3f ms over %zu runs, corpus %.0f GB/s = %.1f%% of copy, %.0f queries/s\n", batch,
                median * 1e3, times.size(), gbps, 100 * gbps / copy_gbps, batch / median);
    json << (first_batch ? "" : ", ") << "{\"queries\": " << batch << ", \"median_ms\": " << median * 1e3
         << ", \"runs\": " << times.size() << ", \"corpus_gb_per_s\": " << gbps
         << ", \"fraction_of_copy\": " << gbps / copy_gbps << ", \"queries_per_s\": " << batch / median << "}";
    first_batch = false;
  }
  json << "], \"upload_s\": " << upload_s << "}\n";
  return 0;
}
