// The native side of the search benchmark: generates the corpus and queries (written to
// --data for the Python and Node peers), measures memory bandwidth (STREAM-style copy and
// a read-only sum), our float32 / int8 / binary searches at 1, 32 and 1,024 queries, and
// recall@10 of the quantized searches after rescoring. Prints one JSON object.
//
// The corpus is clustered (4,096 random centres plus noise, rows L2-normalized) so that
// nearest neighbours mean something; queries are noisy copies of random corpus rows.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <ctime>
#include <vector>

#include "core/thread_pool.h"
#include "kernels/kernels.h"
#include "kernels/quantize.h"
#include "kernels/search.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace kernels = sk::kernels;

double Seconds(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

struct Args {
  size_t rows = 1000000, dim = 384, k = 10, rescore_multiplier = 4;
  std::string data = "/tmp/sentencekit-search-bench";
  int repeats = 3, repeats_large = 1;  // repeats_large: for 1,024 queries
};

Args Parse(int argc, char** argv) {
  Args args;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i], value = argv[i + 1];
    if (key == "--rows") args.rows = std::stoul(value);
    else if (key == "--dim") args.dim = std::stoul(value);
    else if (key == "--data") args.data = value;
    else if (key == "--repeats") args.repeats = std::stoi(value);
    else if (key == "--repeats-large") args.repeats_large = std::stoi(value);
    else if (key == "--rescore-multiplier") args.rescore_multiplier = std::stoul(value);
  }
  return args;
}

void Generate(sk::ThreadPool& pool, size_t rows, size_t dim, const std::vector<float>& centres, uint64_t seed,
              float noise, std::vector<float>& out) {
  out.resize(rows * dim);
  const size_t blocks = (rows + 4095) / 4096;
  const size_t clusters = centres.size() / dim;
  pool.ParallelFor(blocks, [&](size_t block, size_t) {
    std::mt19937_64 rng(seed * 1000003 + block);
    std::normal_distribution<float> normal(0.0f, noise);
    for (size_t r = block * 4096; r < std::min(rows, (block + 1) * 4096); ++r) {
      const float* centre = centres.data() + (rng() % clusters) * dim;
      for (size_t d = 0; d < dim; ++d) out[r * dim + d] = centre[d] + normal(rng);
    }
    const size_t begin = block * 4096, count = std::min(rows, (block + 1) * 4096) - begin;
    kernels::L2NormalizeRows(out.data() + begin * dim, count, dim);
  });
}

void WriteFile(const std::string& path, const void* data, size_t bytes) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr || std::fwrite(data, 1, bytes, f) != bytes) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    std::exit(1);
  }
  std::fclose(f);
}

// STREAM "copy" counts read + write bytes; the read-only sum is what a search scan does.
void Bandwidth(sk::ThreadPool& pool, double* copy_gbs, double* read_gbs) {
  const size_t floats = size_t{1} << 28;  // 1 GiB per array
  std::vector<float> a(floats, 1.0f), b(floats, 0.0f);
  const size_t tasks = pool.size() * 8, per = floats / tasks;
  double best_copy = 1e9, best_read = 1e9;
  std::vector<double> sums(pool.size());
  for (int rep = 0; rep < 3; ++rep) {
    auto start = Clock::now();
    pool.ParallelFor(tasks, [&](size_t t, size_t) { std::memcpy(b.data() + t * per, a.data() + t * per, per * sizeof(float)); });
    best_copy = std::min(best_copy, Seconds(start));
    start = Clock::now();
    pool.ParallelFor(tasks, [&](size_t t, size_t slot) {
      const float* p = a.data() + t * per;
      float acc[16] = {};
      for (size_t i = 0; i < per; i += 16)
        for (int j = 0; j < 16; ++j) acc[j] += p[i + j];
      double s = 0;
      for (float v : acc) s += v;
      sums[slot] += s;
    });
    best_read = std::min(best_read, Seconds(start));
  }
  *copy_gbs = 2.0 * floats * sizeof(float) / best_copy / 1e9;
  *read_gbs = 1.0 * floats * sizeof(float) / best_read / 1e9;
  if (sums[0] < 0) std::printf("%f", sums[0]);  // keep the sum alive
}

// Process CPU time (all threads): on a machine shared with other jobs, wall time mostly
// measures the scheduler; CPU time still compares kernels that run in the same process.
double CpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + 1e-9 * static_cast<double>(now.tv_nsec);
}

// The best wall time of `repeats` runs; the best CPU time goes to *cpu_best when given.
template <typename Fn>
double BestOf(int repeats, Fn fn, double* cpu_best = nullptr) {
  double best = 1e9, best_cpu = 1e9;
  for (int i = 0; i < repeats; ++i) {
    const auto start = Clock::now();
    const double cpu_start = CpuSeconds();
    fn();
    best_cpu = std::min(best_cpu, CpuSeconds() - cpu_start);
    best = std::min(best, Seconds(start));
  }
  if (cpu_best != nullptr) *cpu_best = best_cpu;
  return best;
}

double Recall(const std::vector<int64_t>& got, const std::vector<int64_t>& truth, size_t queries, size_t k) {
  size_t hits = 0;
  for (size_t q = 0; q < queries; ++q)
    for (size_t i = 0; i < k; ++i)
      hits += std::count(truth.begin() + q * k, truth.begin() + (q + 1) * k, got[q * k + i]) > 0;
  return static_cast<double>(hits) / static_cast<double>(queries * k);
}

void Check(const sk::Status& status) {
  if (!status.ok()) {
    std::fprintf(stderr, "error: %s\n", status.message().c_str());
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = Parse(argc, argv);
  sk::ThreadPool& pool = sk::ThreadPool::Shared();
  const size_t dim = args.dim, rows = args.rows, k = args.k, max_queries = 1024;
  std::fprintf(stderr, "generating %zu x %zu corpus (%zu threads, level %s)\n", rows, dim, pool.size(),
               kernels::CpuLevelName(kernels::ActiveCpuLevel()));
  std::vector<float> centres(4096 * dim);
  {
    std::mt19937_64 rng(1);
    std::normal_distribution<float> normal;
    for (float& v : centres) v = normal(rng);
  }
  std::vector<float> corpus, queries;
  Generate(pool, rows, dim, centres, 2, 0.6f, corpus);
  // Queries: random corpus rows plus noise.
  std::vector<float> picked(max_queries * dim);
  {
    std::mt19937_64 rng(3);
    for (size_t q = 0; q < max_queries; ++q) {
      const size_t r = rng() % rows;
      std::copy(corpus.begin() + r * dim, corpus.begin() + (r + 1) * dim, picked.begin() + q * dim);
    }
  }
  Generate(pool, max_queries, dim, picked, 4, 0.02f, queries);
  const std::string command = "mkdir -p '" + args.data + "'";
  if (std::system(command.c_str()) != 0) return 1;
  WriteFile(args.data + "/corpus.f32", corpus.data(), corpus.size() * sizeof(float));
  WriteFile(args.data + "/queries.f32", queries.data(), queries.size() * sizeof(float));

  double copy_gbs = 0, read_gbs = 0;
  Bandwidth(pool, &copy_gbs, &read_gbs);

  std::printf("{\"rows\": %zu, \"dim\": %zu, \"k\": %zu, \"threads\": %zu, \"level\": \"%s\", "
              "\"copy_gbs\": %.2f, \"read_gbs\": %.2f",
              rows, dim, k, pool.size(), kernels::CpuLevelName(kernels::ActiveCpuLevel()), copy_gbs, read_gbs);

  // Quantized corpora: int8 ranges from a 100k-row calibration sample, as recommended.
  std::vector<float> ranges(2 * dim);
  Check(kernels::ComputeQuantizationRanges(corpus.data(), std::min<size_t>(rows, 100000), dim, ranges.data()));
  std::vector<int8_t> corpus_i8(rows * dim), queries_i8(max_queries * dim);
  const size_t bytes = kernels::PackedBitBytes(dim);
  std::vector<uint8_t> corpus_bits(rows * bytes), queries_bits(max_queries * bytes);
  auto start = Clock::now();
  Check(kernels::QuantizeInt8(corpus.data(), rows, dim, ranges.data(), corpus_i8.data()));
  const double quantize_int8_s = Seconds(start);
  start = Clock::now();
  Check(kernels::QuantizeUbinary(corpus.data(), rows, dim, corpus_bits.data()));
  const double quantize_binary_s = Seconds(start);
  Check(kernels::QuantizeInt8(queries.data(), max_queries, dim, ranges.data(), queries_i8.data()));
  Check(kernels::QuantizeUbinary(queries.data(), max_queries, dim, queries_bits.data()));
  std::printf(", \"quantize_int8_s\": %.4f, \"quantize_binary_s\": %.4f", quantize_int8_s, quantize_binary_s);

  for (size_t nq : {size_t{1}, size_t{32}, size_t{1024}}) {
    const int repeats = nq >= 1024 ? args.repeats_large : args.repeats;
    double float_cpu = 0, int8_cpu = 0, binary_cpu = 0;
    kernels::SearchOptions options;
    options.top_k = k;
    std::vector<int64_t> truth(nq * k), ids(nq * k);
    std::vector<float> scores(nq * k);
    const double float_s = BestOf(repeats, [&] {
      Check(kernels::SearchFloat32(queries.data(), nq, corpus.data(), rows, dim, kernels::SearchScore::kDot, options,
                                   truth.data(), scores.data()));
    }, &float_cpu);
    // Quantized: search k * multiplier candidates, rescore them with the float query.
    const size_t candidates = k * args.rescore_multiplier;
    kernels::SearchOptions wide = options;
    wide.top_k = candidates;
    std::vector<int64_t> cand(nq * candidates);
    std::vector<int32_t> iscores(nq * candidates);
    std::vector<int64_t> st_ids(nq * k), f32_ids(nq * k);
    const double int8_s = BestOf(repeats, [&] {
      Check(kernels::SearchInt8(queries_i8.data(), nq, corpus_i8.data(), rows, dim, wide, cand.data(), iscores.data()));
    }, &int8_cpu);
    const double int8_rescore_s = BestOf(repeats, [&] {
      Check(kernels::RescoreCandidates(queries.data(), nq, dim, cand.data(), candidates, corpus_i8.data(), rows,
                                       kernels::RescoreCorpus::kInt8, k, st_ids.data(), scores.data()));
    });
    Check(kernels::RescoreCandidates(queries.data(), nq, dim, cand.data(), candidates, corpus.data(), rows,
                                     kernels::RescoreCorpus::kFloat32, k, f32_ids.data(), scores.data()));
    std::vector<int64_t> raw_int8(cand.begin(), cand.end());
    double int8_raw_recall = 0;
    {
      std::vector<int64_t> top(nq * k);
      for (size_t q = 0; q < nq; ++q) std::copy_n(cand.begin() + q * candidates, k, top.begin() + q * k);
      int8_raw_recall = Recall(top, truth, nq, k);
    }
    const double int8_recall_st = Recall(st_ids, truth, nq, k), int8_recall_f32 = Recall(f32_ids, truth, nq, k);

    const double binary_s = BestOf(repeats, [&] {
      Check(kernels::SearchHamming(queries_bits.data(), nq, corpus_bits.data(), rows, bytes, wide, cand.data(),
                                   iscores.data()));
    }, &binary_cpu);
    const double binary_rescore_s = BestOf(repeats, [&] {
      Check(kernels::RescoreCandidates(queries.data(), nq, dim, cand.data(), candidates, corpus_bits.data(), rows,
                                       kernels::RescoreCorpus::kUnpackedBits, k, st_ids.data(), scores.data()));
    });
    Check(kernels::RescoreCandidates(queries.data(), nq, dim, cand.data(), candidates, corpus.data(), rows,
                                     kernels::RescoreCorpus::kFloat32, k, f32_ids.data(), scores.data()));
    double binary_raw_recall = 0;
    {
      std::vector<int64_t> top(nq * k);
      for (size_t q = 0; q < nq; ++q) std::copy_n(cand.begin() + q * candidates, k, top.begin() + q * k);
      binary_raw_recall = Recall(top, truth, nq, k);
    }
    const double binary_recall_st = Recall(st_ids, truth, nq, k), binary_recall_f32 = Recall(f32_ids, truth, nq, k);
    WriteFile(args.data + "/ours_ids_" + std::to_string(nq) + ".i64", truth.data(), truth.size() * sizeof(int64_t));
    std::printf(", \"q%zu\": {\"float32_s\": %.5f, \"int8_s\": %.5f, \"int8_rescore_s\": %.5f, "
                "\"int8_recall_raw\": %.4f, \"int8_recall_rescored_st\": %.4f, \"int8_recall_rescored_f32\": %.4f, "
                "\"binary_s\": %.5f, \"binary_rescore_s\": %.5f, \"binary_recall_raw\": %.4f, "
                "\"binary_recall_rescored_st\": %.4f, \"binary_recall_rescored_f32\": %.4f, "
                "\"float32_cpu_s\": %.5f, \"int8_cpu_s\": %.5f, \"binary_cpu_s\": %.5f}",
                nq, float_s, int8_s, int8_rescore_s, int8_raw_recall, int8_recall_st, int8_recall_f32, binary_s,
                binary_rescore_s, binary_raw_recall, binary_recall_st, binary_recall_f32, float_cpu, int8_cpu, binary_cpu);
    std::fflush(stdout);
  }
  std::printf("}\n");
  return 0;
}
