// Device search (DeviceCorpus through the backend's corpus_* functions) against a scalar CPU
// top-k in double precision: float32 and float16 corpora with cosine and dot, int8 with exact
// int32 scores, ties to the lower id, sizes around the 8,192-column segments, several query and
// corpus chunks, and bad input. Without a GPU only reference_* tests run (main() says why).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "check.h"
#include "kernels/search.h"
#include "runtime/cuda_backend.h"

namespace {

std::string LibraryDir() {
  const char* dir = std::getenv("SENTENCEKIT_CUDA_LIBRARY_DIR");
  return dir != nullptr && *dir != '\0' ? dir : SENTENCEKIT_CUDA_LIBRARY_DIR;
}

struct Random {
  uint64_t state;
  float Uniform() {  // [-1, 1)
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<float>(static_cast<int32_t>(state >> 32)) / 2147483648.0f;
  }
};

std::vector<float> RandomRows(size_t rows, int dim, uint64_t seed) {
  Random random{seed};
  std::vector<float> out(rows * dim);
  for (float& v : out) v = random.Uniform();
  return out;
}

// float32 → nearest fp16 → float32 (round to nearest even), as __float2half_rn on the device.
float RoundToHalf(float value) {
  if (!std::isfinite(value) || value == 0.0f) return value;
  const float magnitude = std::fabs(value);
  int exponent = 0;
  std::frexp(magnitude, &exponent);  // magnitude = m * 2^exponent, m in [0.5, 1)
  // fp16 has 11 significant bits; subnormals below 2^-14 have a fixed step of 2^-24.
  const int step_exponent = std::max(exponent - 11, -24);
  const float step = std::ldexp(1.0f, step_exponent);
  const float rounded = std::nearbyint(magnitude / step) * step;  // FE_TONEAREST: ties to even
  return std::copysign(rounded, value);
}

// Scores of every corpus row for each query, in double, as the CPU search defines them:
// cosine normalizes queries and divides by max(‖row‖, 1e-12).
std::vector<double> ReferenceScores(const std::vector<float>& queries, const std::vector<float>& corpus, int dim,
                                    bool cosine) {
  const size_t nq = queries.size() / dim, rows = corpus.size() / dim;
  std::vector<double> inverse(rows, 1.0), query_scale(nq, 1.0);
  if (cosine) {
    for (size_t r = 0; r < rows; ++r) {
      double sum = 0;
      for (int d = 0; d < dim; ++d) sum += static_cast<double>(corpus[r * dim + d]) * corpus[r * dim + d];
      inverse[r] = 1.0 / std::max(std::sqrt(sum), 1e-12);
    }
    for (size_t q = 0; q < nq; ++q) {
      double sum = 0;
      for (int d = 0; d < dim; ++d) sum += static_cast<double>(queries[q * dim + d]) * queries[q * dim + d];
      query_scale[q] = 1.0 / std::max(std::sqrt(sum), 1e-12);
    }
  }
  std::vector<double> scores(nq * rows);
  for (size_t q = 0; q < nq; ++q) {
    for (size_t r = 0; r < rows; ++r) {
      double dot = 0;
      for (int d = 0; d < dim; ++d) dot += static_cast<double>(queries[q * dim + d]) * corpus[r * dim + d];
      scores[q * rows + r] = dot * inverse[r] * query_scale[q];
    }
  }
  return scores;
}

// The reference ranking of one query: best score first, ties to the lower id.
std::vector<int32_t> ReferenceTopK(const double* scores, size_t rows, size_t k) {
  std::vector<int32_t> order(rows);
  std::iota(order.begin(), order.end(), 0);
  std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int32_t a, int32_t b) {
    return scores[a] > scores[b] || (scores[a] == scores[b] && a < b);
  });
  order.resize(k);
  return order;
}

// Device hits against the reference: every id valid and distinct, every score within `tolerance`
// of the reference score of its id, best first with ties by lower id, and nothing missed by
// more than the tolerance (a near-tie may swap, a real miss may not). tolerance 0: exact ids.
void CheckHits(const char* what, const std::vector<double>& reference, size_t nq, size_t rows, size_t k,
               const std::vector<int32_t>& ids, const std::vector<float>& scores, double tolerance) {
  int reported = 0;
  for (size_t q = 0; q < nq; ++q) {
    const double* row = reference.data() + q * rows;
    const std::vector<int32_t> want = ReferenceTopK(row, rows, k);
    const double kth = row[want.back()];
    std::vector<int32_t> seen;
    for (size_t r = 0; r < k; ++r) {
      const int32_t id = ids[q * k + r];
      const float score = scores[q * k + r];
      const bool valid = id >= 0 && static_cast<size_t>(id) < rows;
      const double relative = tolerance == 0 ? 0.0 : 1e-6;
      bool ok = valid && std::fabs(score - row[id]) <= tolerance + relative * std::fabs(row[id]) &&
                row[id] >= kth - 2 * tolerance - relative * std::fabs(kth);
      if (r > 0) {
        const float before = scores[q * k + r - 1];
        ok = ok && (before > score || (before == score && ids[q * k + r - 1] < id));
      }
      if (tolerance == 0) ok = ok && id == want[r];
      ok = ok && std::find(seen.begin(), seen.end(), id) == seen.end();
      seen.push_back(id);
      if (!ok && reported++ < 5) {
        std::cerr << "  " << what << ": query " << q << " rank " << r << " got id " << id << " score " << score
                  << ", want id " << want[r] << " score " << row[want[r]]
                  << (valid ? " (reference score of got id " + std::to_string(row[id]) + ")" : std::string()) << "\n";
      }
      CHECK(ok) << what;
    }
  }
}

std::unique_ptr<sk::runtime::CudaCorpus> MakeCorpus(SkCudaCorpusType type, size_t rows, int dim, const void* data) {
  std::unique_ptr<sk::runtime::CudaCorpus> corpus;
  sk::Status status = sk::runtime::CudaCorpus::Create(LibraryDir(), 0, type, rows, dim, &corpus);
  CHECK(status.ok()) << status.message();
  if (!status.ok()) return nullptr;
  // Two uploads (a split mid-corpus) to exercise offsets.
  const size_t half = rows / 2;
  const size_t element = type == SK_CUDA_CORPUS_INT8 ? 1 : sizeof(float);
  status = corpus->Upload(0, half, data);
  CHECK(status.ok()) << status.message();
  status = corpus->Upload(half, rows - half, static_cast<const char*>(data) + half * dim * element);
  CHECK(status.ok()) << status.message();
  return corpus;
}

void CheckFloat(SkCudaCorpusType type, size_t rows, int dim, size_t nq, int top_k, bool cosine, uint64_t seed) {
  const std::vector<float> corpus = RandomRows(rows, dim, seed);
  const std::vector<float> queries = RandomRows(nq, dim, seed + 1);
  auto device = MakeCorpus(type, rows, dim, corpus.data());
  if (device == nullptr) return;
  const size_t k = std::min<size_t>(top_k, rows);
  std::vector<int32_t> ids(nq * k, -7);
  std::vector<float> scores(nq * k);
  const sk::Status status = device->Search(queries.data(), static_cast<int>(nq), top_k, cosine, ids.data(), scores.data());
  CHECK(status.ok()) << status.message();
  if (!status.ok()) return;
  // fp16: both sides are rounded on the device; the reference scores the rounded values (cosine
  // norms come from the float32 rows, as the device takes them, so they stay float32 here).
  std::vector<double> reference;
  double tolerance = 2e-5 * std::sqrt(static_cast<double>(dim));
  if (type == SK_CUDA_CORPUS_FLOAT16) {
    std::vector<float> rounded_corpus = corpus, rounded_queries = queries;
    if (cosine) {
      for (size_t q = 0; q < nq; ++q) {
        double sum = 0;
        for (int d = 0; d < dim; ++d) sum += static_cast<double>(queries[q * dim + d]) * queries[q * dim + d];
        const double scale = 1.0 / std::max(std::sqrt(sum), 1e-12);
        for (int d = 0; d < dim; ++d) rounded_queries[q * dim + d] = static_cast<float>(queries[q * dim + d] * scale);
      }
    }
    for (float& v : rounded_corpus) v = RoundToHalf(v);
    for (float& v : rounded_queries) v = RoundToHalf(v);
    reference = ReferenceScores(rounded_queries, rounded_corpus, dim, false);
    if (cosine) {
      // Rescale the rounded dot by the float32 row norm, as the device does.
      for (size_t r = 0; r < rows; ++r) {
        double sum = 0;
        for (int d = 0; d < dim; ++d) sum += static_cast<double>(corpus[r * dim + d]) * corpus[r * dim + d];
        const double inverse = 1.0 / std::max(std::sqrt(sum), 1e-12);
        for (size_t q = 0; q < nq; ++q) reference[q * rows + r] *= inverse;
      }
    }
    tolerance = 1e-5 * std::sqrt(static_cast<double>(dim)) * (cosine ? 1.0 : 4.0);
  } else {
    reference = ReferenceScores(queries, corpus, dim, cosine);
    if (!cosine) tolerance *= 4;
  }
  const std::string what = std::string(type == SK_CUDA_CORPUS_FLOAT16 ? "fp16" : "fp32") + (cosine ? " cosine" : " dot") +
                           " rows " + std::to_string(rows) + " dim " + std::to_string(dim) + " queries " +
                           std::to_string(nq) + " k " + std::to_string(top_k);
  CheckHits(what.c_str(), reference, nq, rows, k, ids, scores, tolerance);
}

std::vector<int8_t> RandomInt8(size_t count, uint64_t seed, int spread) {
  Random random{seed};
  std::vector<int8_t> out(count);
  for (int8_t& v : out) v = static_cast<int8_t>(std::lround(random.Uniform() * spread));
  return out;
}

void CheckInt8(size_t rows, int dim, size_t nq, int top_k, int spread, uint64_t seed) {
  const std::vector<int8_t> corpus = RandomInt8(rows * dim, seed, spread);
  const std::vector<int8_t> queries = RandomInt8(nq * dim, seed + 1, 127);
  auto device = MakeCorpus(SK_CUDA_CORPUS_INT8, rows, dim, corpus.data());
  if (device == nullptr) return;
  const size_t k = std::min<size_t>(top_k, rows);
  std::vector<int32_t> ids(nq * k);
  std::vector<float> scores(nq * k);
  const sk::Status status = device->Search(queries.data(), static_cast<int>(nq), top_k, false, ids.data(), scores.data());
  CHECK(status.ok()) << status.message();
  if (!status.ok()) return;
  std::vector<double> reference(nq * rows);
  for (size_t q = 0; q < nq; ++q) {
    for (size_t r = 0; r < rows; ++r) {
      int64_t dot = 0;
      for (int d = 0; d < dim; ++d) dot += int64_t{queries[q * dim + d]} * corpus[r * dim + d];
      reference[q * rows + r] = static_cast<double>(dot);
    }
  }
  const std::string what = "int8 rows " + std::to_string(rows) + " dim " + std::to_string(dim) + " spread " +
                           std::to_string(spread);
  // Exact: same ids in the same order (spread 1 makes many ties), same integer scores.
  CheckHits(what.c_str(), reference, nq, rows, k, ids, scores, 0.0);
}

}  // namespace

// The scalar reference ranks as the CPU search does (which the TS search is tested against).
TEST(reference_topk_matches_cpu_search) {
  const int dim = 13;
  const size_t rows = 3000, nq = 4, k = 25;
  const std::vector<float> corpus = RandomRows(rows, dim, 5), queries = RandomRows(nq, dim, 6);
  for (bool cosine : {false, true}) {
    std::vector<int64_t> ids(nq * k);
    std::vector<float> scores(nq * k);
    sk::kernels::SearchOptions options;
    options.top_k = k;
    const sk::Status status = sk::kernels::SearchFloat32(queries.data(), nq, corpus.data(), rows, dim,
                                                         cosine ? sk::kernels::SearchScore::kCosine
                                                                : sk::kernels::SearchScore::kDot,
                                                         options, ids.data(), scores.data());
    CHECK(status.ok()) << status.message();
    const std::vector<double> reference = ReferenceScores(queries, corpus, dim, cosine);
    std::vector<int32_t> ids32(ids.begin(), ids.end());
    CheckHits(cosine ? "cpu cosine" : "cpu dot", reference, nq, rows, k, ids32, scores, 1e-5);
  }
  CHECK(RoundToHalf(1.0f) == 1.0f);
  CHECK(RoundToHalf(1.0f + 1.0f / 4096) == 1.0f);             // below half a step: down
  CHECK(RoundToHalf(1.0f + 3.0f / 2048) == 1.0f + 2.0f / 1024);  // a tie rounds to even
  CHECK(RoundToHalf(-0.333333f) == -0.333251953125f);
}

TEST(device_search_float32_matches_reference) {
  for (bool cosine : {true, false}) {
    CheckFloat(SK_CUDA_CORPUS_FLOAT32, 1, 7, 3, 10, cosine, 11);
    CheckFloat(SK_CUDA_CORPUS_FLOAT32, 8191, 1, 2, 10, cosine, 12);
    CheckFloat(SK_CUDA_CORPUS_FLOAT32, 8193, 33, 5, 1, cosine, 13);
    CheckFloat(SK_CUDA_CORPUS_FLOAT32, 20000, 384, 7, 100, cosine, 14);
    CheckFloat(SK_CUDA_CORPUS_FLOAT32, 3000, 64, 2, 1024, cosine, 15);   // the largest k, whole buffer
    CheckFloat(SK_CUDA_CORPUS_FLOAT32, 700, 16, 3, 5000, cosine, 16);    // k beyond the corpus: all rows
  }
}

TEST(device_search_float16_matches_reference) {
  for (bool cosine : {true, false}) {
    CheckFloat(SK_CUDA_CORPUS_FLOAT16, 17000, 384, 4, 10, cosine, 21);
    CheckFloat(SK_CUDA_CORPUS_FLOAT16, 9000, 5, 3, 300, cosine, 22);
  }
}

// 300 queries: two query chunks (256 + 44); 270,000 rows: the first chunk spans two corpus
// chunks, so running lists are merged across GEMMs.
TEST(device_search_spans_query_and_corpus_chunks) {
  CheckFloat(SK_CUDA_CORPUS_FLOAT32, 270000, 8, 300, 20, true, 31);
  CheckInt8(270000, 8, 300, 20, 3, 32);
}

TEST(device_search_int8_is_exact) {
  CheckInt8(1, 4, 1, 10, 127, 41);
  CheckInt8(8192, 13, 3, 10, 127, 42);
  CheckInt8(20000, 384, 4, 50, 127, 43);
  CheckInt8(20000, 3, 4, 300, 1, 44);  // values in {-1, 0, 1}: ties everywhere, broken by id
}

TEST(device_search_breaks_ties_by_lower_id) {
  // Every row the same: every score ties, so the hits are ids 0..k-1 in order.
  const int dim = 24;
  const size_t rows = 20000;
  std::vector<float> corpus(rows * dim, 0.25f);
  auto device = MakeCorpus(SK_CUDA_CORPUS_FLOAT16, rows, dim, corpus.data());
  if (device == nullptr) return;
  std::vector<float> query(dim, 0.5f);
  std::vector<int32_t> ids(64);
  std::vector<float> scores(64);
  const sk::Status status = device->Search(query.data(), 1, 64, false, ids.data(), scores.data());
  CHECK(status.ok()) << status.message();
  for (int i = 0; i < 64; ++i) CHECK(ids[i] == i) << "rank " << i << " has id " << ids[i];
}

TEST(device_search_rejects_bad_input) {
  std::unique_ptr<sk::runtime::CudaCorpus> corpus;
  CHECK(!sk::runtime::CudaCorpus::Create(LibraryDir(), 0, SK_CUDA_CORPUS_FLOAT32, 10, 0, &corpus).ok());
  CHECK(!sk::runtime::CudaCorpus::Create(LibraryDir(), 0, static_cast<SkCudaCorpusType>(9), 10, 4, &corpus).ok());
  CHECK(!sk::runtime::CudaCorpus::Create(LibraryDir(), 99, SK_CUDA_CORPUS_FLOAT32, 10, 4, &corpus).ok());
  const std::vector<float> rows = RandomRows(2000, 4, 51);
  auto device = MakeCorpus(SK_CUDA_CORPUS_FLOAT32, 2000, 4, rows.data());
  if (device == nullptr) return;
  CHECK(!device->Upload(1999, 2, rows.data()).ok());
  std::vector<int32_t> ids(2000);
  std::vector<float> scores(2000);
  CHECK(!device->Search(rows.data(), 1, 0, true, ids.data(), scores.data()).ok());
  CHECK(!device->Search(rows.data(), 1, 1025, true, ids.data(), scores.data()).ok());
  std::vector<int8_t> small(16);
  auto int8 = MakeCorpus(SK_CUDA_CORPUS_INT8, 4, 4, small.data());
  if (int8 != nullptr) CHECK(!int8->Search(small.data(), 1, 2, true, ids.data(), scores.data()).ok());
  // …and the corpus still searches afterwards.
  const sk::Status status = device->Search(rows.data(), 1, 3, true, ids.data(), scores.data());
  CHECK(status.ok()) << status.message();
  CHECK(ids[0] == 0) << "a row is its own best cosine match, got " << ids[0];
}
