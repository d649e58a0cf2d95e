// The fused top-k searches against a brute-force reference (every score, fully sorted), at
// every CPU level, with one and several threads, on sizes that exercise the row kernels,
// the packed kernels, block and task edges, ties, NaN scores and bad sizes.
#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "check.h"
#include "cpu_levels.h"
#include "core/thread_pool.h"
#include "kernels/kernels.h"
#include "kernels/search.h"
#include "kernels/testing.h"
#include "kernels/top_k.h"

namespace {

using sk::kernels::Candidate;
using sk::kernels::CpuLevel;
using sk::kernels::SearchOptions;
using sk::kernels::SearchScore;

template <typename Score>
std::vector<Candidate<Score>> Reference(const std::vector<Score>& scores, size_t k) {
  std::vector<Candidate<Score>> all;
  for (size_t i = 0; i < scores.size(); ++i) all.push_back({scores[i], static_cast<int64_t>(i)});
  std::sort(all.begin(), all.end(), sk::kernels::RanksAhead<Score>);
  all.resize(std::min(k, all.size()));
  return all;
}

// Small integers make every float dot product exact in any summation order, so ids must
// equal the reference exactly, ties (there are many) included.
std::vector<float> SmallIntegers(size_t n, std::mt19937& rng) {
  std::vector<float> v(n);
  for (float& x : v) x = static_cast<float>(static_cast<int>(rng() % 7) - 3);
  return v;
}

template <typename Fn>
void ForEachLevel(Fn fn) {
  const CpuLevel before = sk::kernels::ActiveCpuLevel();
  for (int level = 0; level <= static_cast<int>(sk::kernels::SupportedCpuLevel()); ++level) {
    sk::kernels::SetCpuLevelForTesting(static_cast<CpuLevel>(level));
    fn(level);
  }
  sk::kernels::SetCpuLevelForTesting(before);
  sktest::SkipCpuLevelsAbove(sk::kernels::kHighestCpuLevel);
}

}  // namespace

TEST(search_float32_exact_ids_with_ties) {
  std::mt19937 rng(21);
  sk::ThreadPool one(1), three(3);
  struct Shape { size_t queries, rows, dim, k; };
  const Shape shapes[] = {{1, 1, 1, 1}, {3, 50, 7, 10}, {1, 3001, 17, 10}, {8, 1000, 33, 5},
                          {13, 2049, 16, 25}, {9, 700, 385, 700}, {5, 40, 3, 100},
                          {130, 700, 33, 7}, {129, 45, 17, 50}};  // the last two take the packed path
  for (const Shape& s : shapes) {
    std::vector<float> queries = SmallIntegers(s.queries * s.dim, rng), corpus = SmallIntegers(s.rows * s.dim, rng);
    const size_t k = sk::kernels::ResultsPerQuery(s.k, s.rows);
    ForEachLevel([&](int level) {
      for (sk::ThreadPool* pool : {&one, &three}) {
        for (size_t corpus_chunk : {size_t{0}, size_t{100}}) {
          SearchOptions options;
          options.top_k = s.k;
          options.pool = pool;
          options.corpus_chunk_size = corpus_chunk;
          std::vector<int64_t> ids(s.queries * k);
          std::vector<float> scores(s.queries * k);
          CHECK(sk::kernels::SearchFloat32(queries.data(), s.queries, corpus.data(), s.rows, s.dim, SearchScore::kDot,
                                           options, ids.data(), scores.data()).ok());
          for (size_t q = 0; q < s.queries; ++q) {
            std::vector<float> all(s.rows);
            for (size_t r = 0; r < s.rows; ++r) {
              double sum = 0;
              for (size_t d = 0; d < s.dim; ++d) sum += queries[q * s.dim + d] * corpus[r * s.dim + d];
              all[r] = static_cast<float>(sum);
            }
            const auto expected = Reference(all, k);
            for (size_t i = 0; i < k; ++i) {
              CHECK(ids[q * k + i] == expected[i].id && scores[q * k + i] == expected[i].score)
                  << "level " << level << " threads " << pool->size() << " rows " << s.rows << " q " << q << " i " << i;
            }
          }
        }
      }
    });
  }
}

TEST(search_float32_cosine_and_gaussian_scores) {
  std::mt19937 rng(22);
  std::normal_distribution<float> normal;
  const size_t nq = 130, rows = 1500, dim = 384, k = 10;  // 130: the packed path
  std::vector<float> queries(nq * dim), corpus(rows * dim);
  for (float& v : queries) v = normal(rng);
  for (float& v : corpus) v = normal(rng);
  for (size_t d = 0; d < dim; ++d) corpus[5 * dim + d] = 0.0f;  // a zero row scores 0 under cosine
  ForEachLevel([&](int level) {
    for (SearchScore score : {SearchScore::kDot, SearchScore::kCosine}) {
      for (size_t batch : {size_t{1}, nq}) {  // the row path and the packed path
        SearchOptions options;
        options.top_k = k;
        std::vector<int64_t> ids(nq * k);
        std::vector<float> scores(nq * k);
        CHECK(sk::kernels::SearchFloat32(queries.data(), batch, corpus.data(), rows, dim, score, options, ids.data(),
                                         scores.data()).ok());
        for (size_t q = 0; q < batch; ++q) {
          std::vector<float> all(rows);
          double qn = 0;
          for (size_t d = 0; d < dim; ++d) qn += double{queries[q * dim + d]} * queries[q * dim + d];
          for (size_t r = 0; r < rows; ++r) {
            double dot = 0, cn = 0;
            for (size_t d = 0; d < dim; ++d) {
              dot += double{queries[q * dim + d]} * corpus[r * dim + d];
              cn += double{corpus[r * dim + d]} * corpus[r * dim + d];
            }
            all[r] = static_cast<float>(score == SearchScore::kDot ? dot : dot / std::max(std::sqrt(qn), 1e-12) / std::max(std::sqrt(cn), 1e-12));
          }
          const auto expected = Reference(all, k);
          for (size_t i = 0; i < k; ++i) {
            // Gaussian scores have no near ties at this size: ids match, scores to float rounding.
            CHECK(ids[q * k + i] == expected[i].id) << "level " << level << " q " << q << " i " << i;
            CHECK_NEAR(scores[q * k + i], expected[i].score, 2e-4 * std::max(1.0f, std::fabs(expected[i].score)));
          }
        }
      }
    }
  });
}

TEST(search_euclidean_and_manhattan) {
  std::mt19937 rng(24);
  const size_t nq = 3, rows = 900, dim = 19, k = 12;
  std::vector<float> queries = SmallIntegers(nq * dim, rng), corpus = SmallIntegers(rows * dim, rng);
  ForEachLevel([&](int level) {
    for (SearchScore score : {SearchScore::kEuclidean, SearchScore::kManhattan}) {
      SearchOptions options;
      options.top_k = k;
      std::vector<int64_t> ids(nq * k);
      std::vector<float> scores(nq * k);
      CHECK(sk::kernels::SearchFloat32(queries.data(), nq, corpus.data(), rows, dim, score, options, ids.data(),
                                       scores.data()).ok());
      for (size_t q = 0; q < nq; ++q) {
        std::vector<float> all(rows);
        for (size_t r = 0; r < rows; ++r) {
          double l2 = 0, l1 = 0;
          for (size_t d = 0; d < dim; ++d) {
            const double diff = double{queries[q * dim + d]} - corpus[r * dim + d];
            l2 += diff * diff;
            l1 += std::fabs(diff);
          }
          // Integer inputs: squared distances and L1 are exact, so ranks must match exactly.
          all[r] = score == SearchScore::kEuclidean ? -std::sqrt(static_cast<float>(l2)) : -static_cast<float>(l1);
        }
        const auto expected = Reference(all, k);
        for (size_t i = 0; i < k; ++i) {
          CHECK(ids[q * k + i] == expected[i].id && scores[q * k + i] == expected[i].score) << "level " << level << " i " << i;
        }
      }
    }
  });
}

TEST(search_nan_scores_rank_last_and_bad_sizes_are_refused) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  // Rows 0 and 2 hold NaN; row 3 is -inf.
  const float corpus[] = {nan, 1, 2, 1, 0, nan, -std::numeric_limits<float>::infinity(), 0, -1, -1};
  const float query[] = {1, 1};
  ForEachLevel([&](int level) {
    SearchOptions options;
    options.top_k = 5;
    int64_t ids[5];
    float scores[5];
    CHECK(sk::kernels::SearchFloat32(query, 1, corpus, 5, 2, SearchScore::kDot, options, ids, scores).ok());
    CHECK(ids[0] == 1 && ids[1] == 4 && ids[2] == 3 && ids[3] == 0 && ids[4] == 2) << "level " << level << " got "
        << ids[0] << ids[1] << ids[2] << ids[3] << ids[4];
    CHECK(std::isnan(scores[3]) && std::isnan(scores[4]));
  });
  {
    // k equal to the corpus over many queries: the scratch is bounded by chunking queries.
    std::mt19937 rng(25);
    const size_t nq = 300, rows = 60000, dim = 2;
    std::vector<float> q = SmallIntegers(nq * dim, rng), c = SmallIntegers(rows * dim, rng);
    SearchOptions all;
    all.top_k = rows + 5;
    std::vector<int64_t> all_ids(nq * rows);
    std::vector<float> all_scores(nq * rows);
    CHECK(sk::kernels::SearchFloat32(q.data(), nq, c.data(), rows, dim, SearchScore::kDot, all, all_ids.data(),
                                     all_scores.data()).ok());
    for (size_t i = 1; i < rows; ++i) CHECK(all_scores[i - 1] >= all_scores[i]) << "sorted at " << i;
  }
  SearchOptions options;
  options.top_k = 0;
  int64_t ids[4];
  float scores[4];
  CHECK(!sk::kernels::SearchFloat32(query, 1, corpus, 5, 2, SearchScore::kDot, options, ids, scores).ok()) << "k = 0";
  options.top_k = 3;
  CHECK(!sk::kernels::SearchFloat32(query, 1, corpus, 5, 0, SearchScore::kDot, options, ids, scores).ok()) << "dim 0";
  CHECK(sk::kernels::SearchFloat32(query, 1, nullptr, 0, 2, SearchScore::kDot, options, nullptr, nullptr).ok()) << "empty corpus";
  CHECK(sk::kernels::ResultsPerQuery(3, 0) == 0 && sk::kernels::ResultsPerQuery(30, 5) == 5);
}

TEST(search_int8_and_hamming_exact) {
  std::mt19937 rng(23);
  sk::ThreadPool two(2);
  for (size_t width : {1, 5, 48, 64, 97, 384}) {
   for (size_t nq : {6, 130}) {  // the row kernels and (from 128 queries) the packed kernels
    const size_t rows = 2500, k = 15;
    std::vector<int8_t> queries(nq * width), corpus(rows * width);
    for (auto& v : queries) v = static_cast<int8_t>(rng());
    // Few distinct values so that ties occur.
    for (auto& v : corpus) v = static_cast<int8_t>(static_cast<int>(rng() % 5) * 64 - 128);
    ForEachLevel([&](int level) {
      SearchOptions options;
      options.top_k = k;
      options.pool = &two;
      std::vector<int64_t> ids(nq * k), hamming_ids(nq * k);
      std::vector<int32_t> scores(nq * k), distances(nq * k);
      CHECK(sk::kernels::SearchInt8(queries.data(), nq, corpus.data(), rows, width, options, ids.data(), scores.data()).ok());
      const auto* uq = reinterpret_cast<const uint8_t*>(queries.data());
      const auto* uc = reinterpret_cast<const uint8_t*>(corpus.data());
      CHECK(sk::kernels::SearchHamming(uq, nq, uc, rows, width, options, hamming_ids.data(), distances.data()).ok());
      for (size_t q = 0; q < nq; ++q) {
        std::vector<int32_t> dots(rows), negated_distances(rows);
        for (size_t r = 0; r < rows; ++r) {
          int32_t dot = 0, distance = 0;
          for (size_t i = 0; i < width; ++i) {
            dot += queries[q * width + i] * corpus[r * width + i];
            distance += __builtin_popcount(static_cast<unsigned>(uq[q * width + i] ^ uc[r * width + i]));
          }
          dots[r] = dot;
          negated_distances[r] = -distance;
        }
        const auto expected = Reference(dots, k);
        const auto expected_hamming = Reference(negated_distances, k);
        for (size_t i = 0; i < k; ++i) {
          CHECK(ids[q * k + i] == expected[i].id && scores[q * k + i] == expected[i].score) << "int8 level " << level << " width " << width;
          CHECK(hamming_ids[q * k + i] == expected_hamming[i].id && distances[q * k + i] == -expected_hamming[i].score)
              << "hamming level " << level << " width " << width << " queries " << nq;
        }
      }
    });
   }
  }
}

TEST(search_rescore_candidates) {
  // Two queries, dim 8, three corpus rows; bits of row r are the byte r.
  const float queries[] = {1, 2, 3, 4, 5, 6, 7, 8, /* q1 */ -1, 0, 0, 0, 0, 0, 0, 1};
  const float corpus_f32[] = {1, 0, 0, 0, 0, 0, 0, 0, /* r1 */ 0, 0, 0, 0, 0, 0, 0, 1, /* r2 */ 1, 1, 1, 1, 1, 1, 1, 1};
  const uint8_t corpus_bits[] = {0x80, 0x01, 0xFF};
  const int64_t candidates[] = {0, 1, 2, /* q1 */ 2, 0, 1};
  int64_t ids[4];
  float scores[4];
  CHECK(sk::kernels::RescoreCandidates(queries, 2, 8, candidates, 3, corpus_f32, 3, sk::kernels::RescoreCorpus::kFloat32,
                                       2, ids, scores).ok());
  CHECK(ids[0] == 2 && scores[0] == 36 && ids[1] == 1 && scores[1] == 8) << ids[0] << " " << ids[1];
  CHECK(ids[2] == 1 && scores[2] == 1 && ids[3] == 2 && scores[3] == 0) << ids[2] << " " << ids[3];
  int64_t bit_ids[4];
  float bit_scores[4];
  CHECK(sk::kernels::RescoreCandidates(queries, 2, 8, candidates, 3, corpus_bits, 3,
                                       sk::kernels::RescoreCorpus::kUnpackedBits, 2, bit_ids, bit_scores).ok());
  for (int i = 0; i < 4; ++i) CHECK(bit_ids[i] == ids[i] && bit_scores[i] == scores[i]) << "unpackbits order, i " << i;
  const int64_t out_of_range[] = {0, 3, 1, 0, 0, 0};
  CHECK(!sk::kernels::RescoreCandidates(queries, 2, 8, out_of_range, 3, corpus_f32, 3, sk::kernels::RescoreCorpus::kFloat32,
                                        2, ids, scores).ok());
}
