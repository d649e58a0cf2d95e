// The AMX int8 search path (and the Hamming search beside it) against a brute-force
// reference, with AMX on and off at every level: dims that are and are not whole 64-byte
// steps, query counts around the 16-query groups, block and corpus tails, query chunks that
// are not multiples of a group, corpora read in place (64-byte aligned) and copied (not),
// many tasks raising each other's floors, heavy ties and extreme values. Where the CPU has
// no AMX the "on" runs take the other kernels and still must match.
#include <algorithm>
#include <random>
#include <vector>

#include "check.h"
#include "cpu_levels.h"
#include "core/aligned_vector.h"
#include "core/thread_pool.h"
#include "kernels/cpu/int8_amx.h"
#include "kernels/cpu/sign_bytes_amx.h"
#include "kernels/kernels.h"
#include "kernels/search.h"
#include "kernels/testing.h"
#include "kernels/top_k.h"

namespace {

using sk::kernels::Candidate;
using sk::kernels::CpuLevel;
using sk::kernels::SearchOptions;

std::vector<Candidate<int32_t>> TopOf(const std::vector<int32_t>& scores, size_t k) {
  std::vector<Candidate<int32_t>> all;
  for (size_t i = 0; i < scores.size(); ++i) all.push_back({scores[i], static_cast<int64_t>(i)});
  std::sort(all.begin(), all.end(), sk::kernels::RanksAhead<int32_t>);
  all.resize(std::min(k, all.size()));
  return all;
}

template <typename Fn>
void ForEachLevelAndAmx(Fn fn) {
  const CpuLevel before = sk::kernels::ActiveCpuLevel();
  for (int level = 0; level <= static_cast<int>(sk::kernels::SupportedCpuLevel()); ++level) {
    for (bool amx : {false, true}) {
      sk::kernels::SetCpuLevelForTesting(static_cast<CpuLevel>(level));
      sk::kernels::SetAmxForTesting(amx);
      fn(level, amx);
    }
  }
  sk::kernels::SetAmxForTesting(true);
  sk::kernels::SetCpuLevelForTesting(before);
  sktest::SkipCpuLevelsAbove(sk::kernels::kHighestCpuLevel);
#if !defined(__aarch64__)
  sktest::SkipAmxUnlessSupported();
#endif
}

}  // namespace

TEST(search_amx_int8_and_hamming_exact) {
  std::mt19937 rng(41);
  sk::ThreadPool two(2);
  // corpus_chunk: rows per task (0: the default, a few tasks); offset: bytes from a 64-byte boundary.
  struct Shape { size_t queries, rows, dim, k, chunk, corpus_chunk = 0, offset = 1; };
  const Shape shapes[] = {{1, 31, 1, 5, 0},     {15, 700, 4, 10, 0},   {16, 1000, 63, 7, 0}, {17, 1700, 64, 12, 0},
                          {33, 2049, 65, 20, 7}, {40, 700, 384, 40, 0}, {130, 1500, 96, 9, 50}, {3, 5, 128, 9, 0},
                          {64, 3000, 64, 10, 0, 200, 0}, {70, 3000, 384, 25, 0, 500, 0}, {97, 1000, 128, 5, 0, 0, 0},
                          // Large enough for the sampled threshold floors (16,384 rows and up).
                          {40, 17000, 48, 40, 0}, {2, 17000, 64, 10, 0}, {40, 17000, 48, 40, 0, 1000, 3},
                          {50, 17000, 128, 40, 0, 0, 0}};
  for (const Shape& s : shapes) {
    for (int values = 0; values < 2; ++values) {
      std::vector<int8_t> queries(s.queries * s.dim), corpus(s.rows * s.dim);
      // 0: a few distinct values (many ties); 1: full range including -128 and 127.
      for (auto& v : queries) v = static_cast<int8_t>(values == 0 ? static_cast<int>(rng() % 3) - 1 : static_cast<int>(rng()));
      for (auto& v : corpus) v = static_cast<int8_t>(values == 0 ? static_cast<int>(rng() % 5) * 64 - 128 : static_cast<int>(rng()));
      if (values == 1) {
        std::fill(corpus.begin(), corpus.begin() + s.dim, int8_t{-128});                            // the largest products
        std::fill(corpus.end() - static_cast<long>(s.dim), corpus.end(), int8_t{0});                 // a zero row
        std::fill(queries.begin(), queries.begin() + s.dim, int8_t{-128});
      }
      std::vector<std::vector<Candidate<int32_t>>> dots(s.queries), hamming(s.queries);
      const auto* uq = reinterpret_cast<const uint8_t*>(queries.data());
      const auto* uc = reinterpret_cast<const uint8_t*>(corpus.data());
      for (size_t q = 0; q < s.queries; ++q) {
        std::vector<int32_t> dot(s.rows), negated(s.rows);
        for (size_t r = 0; r < s.rows; ++r) {
          int32_t sum = 0, distance = 0;
          for (size_t i = 0; i < s.dim; ++i) {
            sum += int32_t{queries[q * s.dim + i]} * int32_t{corpus[r * s.dim + i]};
            distance += __builtin_popcount(static_cast<unsigned>(uq[q * s.dim + i] ^ uc[r * s.dim + i]));
          }
          dot[r] = sum;
          negated[r] = -distance;
        }
        dots[q] = TopOf(dot, s.k);
        hamming[q] = TopOf(negated, s.k);
      }
      sk::AlignedVector<int8_t> placed(corpus.size() + 64);
      std::copy(corpus.begin(), corpus.end(), placed.begin() + static_cast<long>(s.offset));
      const int8_t* corpus_at = placed.data() + s.offset;
      ForEachLevelAndAmx([&](int level, bool amx) {
        SearchOptions options;
        options.top_k = s.k;
        options.query_chunk_size = s.chunk;
        options.corpus_chunk_size = s.corpus_chunk;
        options.pool = &two;
        const size_t k = std::min(s.k, s.rows);
        std::vector<int64_t> ids(s.queries * k), hamming_ids(s.queries * k);
        std::vector<int32_t> scores(s.queries * k), distances(s.queries * k);
        CHECK(sk::kernels::SearchInt8(queries.data(), s.queries, corpus_at, s.rows, s.dim, options, ids.data(),
                                      scores.data()).ok());
        CHECK(sk::kernels::SearchHamming(uq, s.queries, reinterpret_cast<const uint8_t*>(corpus_at), s.rows, s.dim, options,
                                         hamming_ids.data(), distances.data()).ok());
        for (size_t q = 0; q < s.queries; ++q) {
          for (size_t i = 0; i < k; ++i) {
            CHECK(ids[q * k + i] == dots[q][i].id && scores[q * k + i] == dots[q][i].score)
                << "int8 level " << level << " amx " << amx << " dim " << s.dim << " queries " << s.queries << " q " << q
                << " i " << i << " got " << ids[q * k + i] << "/" << scores[q * k + i] << " want " << dots[q][i].id << "/"
                << dots[q][i].score;
            CHECK(hamming_ids[q * k + i] == hamming[q][i].id && distances[q * k + i] == -hamming[q][i].score)
                << "hamming level " << level << " amx " << amx << " bytes " << s.dim << " queries " << s.queries << " q " << q
                << " i " << i;
          }
        }
      });
    }
  }
}

// x86 only: AMX and the AVX-512BW sign expansion are not built for aarch64.
#if !defined(__aarch64__)
TEST(amx_pack_queries_layout) {
  // Two groups (17 queries) of dim 70 (two steps): every byte lands where TDPBSSD reads it.
  const size_t nq = 17, dim = 70;
  std::vector<int8_t> queries(nq * dim);
  for (size_t i = 0; i < queries.size(); ++i) queries[i] = static_cast<int8_t>(i * 7 + 1);
  std::vector<int8_t> packed(sk::kernels::AmxPackedQueryBytes(nq, dim), int8_t{99});
  CHECK(packed.size() == 2 * 2 * 1024);
  sk::kernels::AmxPackQueries(queries.data(), nq, dim, packed.data());
  for (size_t g = 0; g < 2; ++g)
    for (size_t s = 0; s < 2; ++s)
      for (size_t c = 0; c < 16; ++c)
        for (size_t n = 0; n < 16; ++n)
          for (size_t j = 0; j < 4; ++j) {
            const size_t q = g * 16 + n, d = s * 64 + c * 4 + j;
            const int8_t want = q < nq && d < dim ? queries[q * dim + d] : int8_t{0};
            CHECK(packed[((g * 2 + s) * 16 + c) * 64 + n * 4 + j] == want) << g << " " << s << " " << c << " " << n << " " << j;
          }
}

TEST(expand_bits_to_signs_matches_scalar_reference) {
  // Row widths around whole 8-byte words; every output byte, padding included. The kernel is
  // AVX-512BW code that search.cc calls only beside AMX.
  if (sk::kernels::SupportedCpuLevel() != CpuLevel::kAvx512) SKIP("AVX-512BW kernel; no AVX-512 on this CPU");
  std::mt19937 rng(7);
  for (size_t bytes : {1, 7, 8, 9, 17, 48, 63, 65}) {
    const size_t n = 5, stride = sk::kernels::SignBytesStride(bytes);
    CHECK(stride == (bytes + 7) / 8 * 64);
    std::vector<uint8_t> rows(n * bytes);
    for (auto& b : rows) b = static_cast<uint8_t>(rng());
    rows[0] = 0x00;
    rows[1 % rows.size()] = 0xFF;
    std::vector<int8_t> out(n * stride, int8_t{42});
    sk::kernels::ExpandBitsToSigns(rows.data(), n, bytes, out.data());
    for (size_t r = 0; r < n; ++r) {
      for (size_t i = 0; i < stride; ++i) {
        const size_t byte = i / 8, bit = i % 8;
        const int8_t want = byte < bytes ? ((rows[r * bytes + byte] >> bit) & 1 ? int8_t{1} : int8_t{-1}) : int8_t{0};
        CHECK(out[r * stride + i] == want) << "bytes " << bytes << " row " << r << " at " << i;
      }
    }
    // The property the search relies on: dot = bits - 2 * hamming.
    for (size_t a = 0; a < n; ++a) {
      for (size_t b = 0; b < n; ++b) {
        int32_t dot = 0, distance = 0;
        for (size_t i = 0; i < stride; ++i) dot += int32_t{out[a * stride + i]} * int32_t{out[b * stride + i]};
        for (size_t i = 0; i < bytes; ++i) distance += __builtin_popcount(rows[a * bytes + i] ^ rows[b * bytes + i]);
        CHECK(dot == static_cast<int32_t>(bytes * 8) - 2 * distance) << bytes;
      }
    }
  }
}
#endif
