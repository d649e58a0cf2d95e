// Every SIMD level of the vector primitives (distances, row and packed dot kernels, int8 dot,
// Hamming) against the scalar table on odd sizes, zero vectors and NaN/Inf inputs.
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "check.h"
#include "cpu_levels.h"
#include "kernels/cpu/vector_table.h"
#include "kernels/kernels.h"

namespace {

using sk::kernels::VectorKernels;

template <typename Fn>
void ForEachSimdLevel(Fn fn) {
  for (int level = 1; level <= static_cast<int>(sk::kernels::SupportedCpuLevel()); ++level) {
    fn(level, sk::kernels::VectorKernelsFor(level));
  }
  sktest::SkipCpuLevelsAbove(sk::kernels::kHighestCpuLevel);
}

bool Close(float a, float b, float tolerance) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (std::isinf(a) || std::isinf(b)) return a == b;
  return std::fabs(a - b) <= tolerance * std::max(1.0f, std::fabs(b));
}

std::vector<float> Normal(size_t n, std::mt19937& rng) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = normal(rng);
  return v;
}

// float sums in different orders differ by up to ~n * eps * sum(|a_i * b_i|), whatever
// the result's own size (cancellation), so dot products are checked against that bound.
float DotTolerance(const float* a, const float* b, size_t n) {
  double magnitude = 0;
  for (size_t i = 0; i < n; ++i) magnitude += std::fabs(double{a[i]} * b[i]);
  return static_cast<float>(1e-6 * magnitude + 1e-6);
}

const size_t kDims[] = {1, 3, 7, 8, 15, 16, 17, 31, 33, 64, 384, 385};

}  // namespace

TEST(vector_distances_match_scalar) {
  std::mt19937 rng(3);
  const VectorKernels& scalar = sk::kernels::ScalarVectorKernels();
  for (size_t dim : kDims) {
    std::vector<float> a = Normal(dim, rng), b = Normal(dim, rng), zero(dim, 0.0f);
    ForEachSimdLevel([&](int level, const VectorKernels& k) {
      CHECK(std::fabs(k.dot(a.data(), b.data(), dim) - scalar.dot(a.data(), b.data(), dim)) <= DotTolerance(a.data(), b.data(), dim)) << level << " " << dim;
      CHECK(Close(k.squared_l2(a.data(), b.data(), dim), scalar.squared_l2(a.data(), b.data(), dim), 1e-5f)) << level;
      CHECK(Close(k.l1(a.data(), b.data(), dim), scalar.l1(a.data(), b.data(), dim), 1e-5f)) << level;
      CHECK(k.dot(a.data(), zero.data(), dim) == 0.0f) << "zero vector, level " << level;
      CHECK(k.squared_l2(a.data(), a.data(), dim) == 0.0f) << "same vector, level " << level;
      std::vector<float> y = b, expected = b;
      k.axpy(0.5f, a.data(), dim, y.data());
      scalar.axpy(0.5f, a.data(), dim, expected.data());
      for (size_t i = 0; i < dim; ++i) CHECK(Close(y[i], expected[i], 1e-6f)) << "axpy level " << level;
    });
  }
  // NaN and Inf propagate at every level.
  std::vector<float> a(37, 1.0f), b(37, 1.0f);
  a[20] = std::numeric_limits<float>::quiet_NaN();
  b[36] = std::numeric_limits<float>::infinity();
  for (int level = 0; level <= static_cast<int>(sk::kernels::SupportedCpuLevel()); ++level) {
    const VectorKernels& k = sk::kernels::VectorKernelsFor(level);
    CHECK(std::isnan(k.dot(a.data(), b.data(), 37))) << level;
    CHECK(std::isnan(k.l1(a.data(), b.data(), 37))) << level;
    std::vector<float> c(37, 1.0f);
    CHECK(std::isinf(k.dot(c.data(), b.data(), 37))) << level;
    CHECK(std::isinf(k.squared_l2(c.data(), b.data(), 37))) << level;
  }
}

TEST(vector_row_and_packed_dot_match_scalar) {
  std::mt19937 rng(5);
  const VectorKernels& scalar = sk::kernels::ScalarVectorKernels();
  for (size_t dim : {1, 7, 16, 31, 384, 385}) {
    for (size_t n : {1, 2, 5, 16, 17, 37, 70}) {
      constexpr size_t kQueries = 12;  // the most any level's packed kernel takes
      std::vector<float> corpus = Normal(n * dim, rng), queries = Normal(kQueries * dim, rng);
      const size_t stride = 80;
      std::vector<float> expected(kQueries * stride);
      for (size_t q = 0; q < kQueries; q += 4)
        scalar.dot_rows_f32(queries.data() + q * dim, 4, corpus.data(), n, dim, expected.data() + q * stride, stride);
      ForEachSimdLevel([&](int level, const VectorKernels& k) {
        for (size_t m = 1; m <= sk::kernels::kRowsMaxQueries; ++m) {
          std::vector<float> got(kQueries * stride, -1.0f);
          k.dot_rows_f32(queries.data(), m, corpus.data(), n, dim, got.data(), stride);
          for (size_t q = 0; q < m; ++q)
            for (size_t r = 0; r < n; ++r)
              CHECK(std::fabs(got[q * stride + r] - expected[q * stride + r]) <= DotTolerance(queries.data() + q * dim, corpus.data() + r * dim, dim)) << "rows level " << level << " m " << m << " dim " << dim << " n " << n << " " << got[q * stride + r] << " vs " << expected[q * stride + r];
        }
        const size_t groups = (n + k.pack_lanes - 1) / k.pack_lanes;
        std::vector<float> packed(groups * k.pack_lanes * dim, -7.0f);
        k.pack_f32(corpus.data(), n, dim, packed.data());
        CHECK(k.packed_max_queries <= kQueries);
        for (size_t m = 1; m <= k.packed_max_queries; ++m) {
          std::vector<float> got(kQueries * stride, -1.0f);
          k.dot_packed_f32(queries.data(), m, packed.data(), groups, dim, got.data(), stride);
          for (size_t q = 0; q < m; ++q) {
            for (size_t r = 0; r < n; ++r)
              CHECK(std::fabs(got[q * stride + r] - expected[q * stride + r]) <= DotTolerance(queries.data() + q * dim, corpus.data() + r * dim, dim)) << "packed level " << level << " m " << m << " dim " << dim << " n " << n;
            for (size_t r = n; r < groups * k.pack_lanes; ++r) CHECK(got[q * stride + r] == 0.0f) << "padding scores zero";
          }
        }
      });
    }
  }
}

TEST(vector_int8_dot_and_hamming_are_exact) {
  std::mt19937 rng(9);
  const VectorKernels& scalar = sk::kernels::ScalarVectorKernels();
  for (size_t bytes : {1, 3, 4, 7, 48, 63, 64, 65, 96, 130, 384, 385}) {
    const size_t n = 11, stride = 16;
    std::vector<int8_t> corpus(n * bytes), queries(4 * bytes);
    for (auto& v : corpus) v = static_cast<int8_t>(rng());
    for (auto& v : queries) v = static_cast<int8_t>(rng());
    // The extremes, where a saturating or unsigned shortcut would go wrong.
    corpus[0] = -128;
    queries[0] = -128;
    queries[bytes - 1] = 127;
    std::vector<int32_t> expected(4 * stride), expected_hamming(4 * stride);
    const auto* ucorpus = reinterpret_cast<const uint8_t*>(corpus.data());
    const auto* uqueries = reinterpret_cast<const uint8_t*>(queries.data());
    scalar.dot_rows_i8(queries.data(), 4, corpus.data(), n, bytes, expected.data(), stride);
    scalar.hamming_rows(uqueries, 4, ucorpus, n, bytes, expected_hamming.data(), stride);
    ForEachSimdLevel([&](int level, const VectorKernels& k) {
      for (size_t m = 1; m <= sk::kernels::kRowsMaxQueries; ++m) {
        std::vector<int32_t> got(4 * stride), hamming(4 * stride);
        k.dot_rows_i8(queries.data(), m, corpus.data(), n, bytes, got.data(), stride);
        k.hamming_rows(uqueries, m, ucorpus, n, bytes, hamming.data(), stride);
        for (size_t q = 0; q < m; ++q) {
          for (size_t r = 0; r < n; ++r) {
            CHECK(got[q * stride + r] == expected[q * stride + r]) << "int8 level " << level << " bytes " << bytes;
            CHECK(hamming[q * stride + r] == expected_hamming[q * stride + r]) << "hamming level " << level << " bytes " << bytes;
          }
        }
      }
    });
  }
}

TEST(vector_packed_int8_and_bits_match_row_kernels) {
  std::mt19937 rng(13);
  const VectorKernels& scalar = sk::kernels::ScalarVectorKernels();
  ForEachSimdLevel([&](int level, const VectorKernels& k) {
    if (k.pack_i8 == nullptr) return;  // this level has only the row kernels
    for (size_t bytes : {1, 3, 4, 5, 8, 9, 48, 63, 384, 385}) {
      for (size_t n : {1, 7, 16, 17, 70}) {
        std::vector<int8_t> corpus(n * bytes), queries(6 * bytes);
        for (auto& v : corpus) v = static_cast<int8_t>(rng());
        for (auto& v : queries) v = static_cast<int8_t>(rng());
        corpus[0] = -128;
        queries[0] = -128;
        const size_t stride = 96;
        std::vector<int32_t> expected(6 * stride), expected_bits(6 * stride);
        const auto* uc = reinterpret_cast<const uint8_t*>(corpus.data());
        const auto* uq = reinterpret_cast<const uint8_t*>(queries.data());
        for (size_t q = 0; q < 6; ++q) {
          scalar.dot_rows_i8(queries.data() + q * bytes, 1, corpus.data(), n, bytes, expected.data() + q * stride, stride);
          scalar.hamming_rows(uq + q * bytes, 1, uc, n, bytes, expected_bits.data() + q * stride, stride);
        }
        // int8: queries padded to whole 4-byte chunks, sums supplied.
        const size_t chunks = (bytes + 3) / 4, i8_groups = (n + k.i8_lanes - 1) / k.i8_lanes;
        std::vector<int8_t> padded(6 * chunks * 4, 0);
        std::vector<int32_t> sums(6, 0);
        for (size_t q = 0; q < 6; ++q)
          for (size_t i = 0; i < bytes; ++i) {
            padded[q * chunks * 4 + i] = queries[q * bytes + i];
            sums[q] += queries[q * bytes + i];
          }
        std::vector<uint8_t> packed(i8_groups * k.i8_lanes * chunks * 4, 0x11);
        k.pack_i8(corpus.data(), n, bytes, packed.data());
        // bits: queries padded to whole 8-byte words.
        const size_t words = (bytes + 7) / 8, bit_groups = (n + k.bits_lanes - 1) / k.bits_lanes;
        std::vector<uint8_t> padded_bits(6 * words * 8, 0);
        for (size_t q = 0; q < 6; ++q)
          for (size_t i = 0; i < bytes; ++i) padded_bits[q * words * 8 + i] = uq[q * bytes + i];
        std::vector<uint64_t> packed_bits(bit_groups * k.bits_lanes * words, 0x5555);
        k.pack_bits(uc, n, bytes, packed_bits.data());
        for (size_t m = 1; m <= std::min(k.i8_packed_max_queries, k.bits_packed_max_queries); ++m) {
          std::vector<int32_t> got(6 * stride, -1), got_bits(6 * stride, -1);
          k.dot_packed_i8(padded.data(), chunks * 4, sums.data(), m, packed.data(), i8_groups, chunks, got.data(), stride);
          k.hamming_packed(padded_bits.data(), words * 8, m, packed_bits.data(), bit_groups, words, got_bits.data(), stride);
          for (size_t q = 0; q < m; ++q)
            for (size_t r = 0; r < n; ++r) {
              CHECK(got[q * stride + r] == expected[q * stride + r]) << "packed int8 level " << level << " bytes " << bytes << " n " << n << " m " << m;
              CHECK(got_bits[q * stride + r] == -expected_bits[q * stride + r]) << "packed bits level " << level << " bytes " << bytes << " n " << n;
            }
          if (k.hamming_packed_select != nullptr) {
            // Thresholds: everything, nothing, and a middle value that splits ties.
            for (int mode = 0; mode < 3; ++mode) {
              std::vector<int32_t> thresholds(m);
              for (size_t q = 0; q < m; ++q) {
                thresholds[q] = mode == 0 ? std::numeric_limits<int32_t>::min()
                                : mode == 1 ? 1 : -expected_bits[q * stride + n / 2];
              }
              std::vector<sk::kernels::Int32Hit> hits(m * n + 1);
              const size_t found = k.hamming_packed_select(padded_bits.data(), words * 8, m, packed_bits.data(), bit_groups,
                                                           words, n, thresholds.data(), hits.data());
              size_t want = 0;
              for (size_t q = 0; q < m; ++q)
                for (size_t r = 0; r < n; ++r) want += -expected_bits[q * stride + r] >= thresholds[q];
              CHECK(found == want) << "fused bits level " << level << " mode " << mode << " found " << found << " want " << want;
              for (size_t h = 0; h < found && h < hits.size(); ++h) {
                const auto& hit = hits[h];
                CHECK(hit.query < m && hit.row < n && hit.score == -expected_bits[hit.query * stride + hit.row] &&
                      hit.score >= thresholds[hit.query]) << "fused bits hit " << h << " level " << level;
              }
            }
          }
        }
      }
    }
  });
}
