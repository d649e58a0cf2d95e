// Quantization (hand-checked buckets and bit order from sentence-transformers'
// quantize_embeddings) and the similarity functions at every CPU level against plain
// double-precision references.
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "check.h"
#include "kernels/kernels.h"
#include "kernels/quantize.h"
#include "kernels/similarity.h"
#include "kernels/testing.h"

namespace {

using sk::kernels::CpuLevel;
using sk::kernels::SimilarityFunction;

double Reference(SimilarityFunction f, const float* a, const float* b, size_t dim) {
  double dot = 0, na = 0, nb = 0, l2 = 0, l1 = 0;
  for (size_t d = 0; d < dim; ++d) {
    dot += double{a[d]} * b[d];
    na += double{a[d]} * a[d];
    nb += double{b[d]} * b[d];
    l2 += (double{a[d]} - b[d]) * (double{a[d]} - b[d]);
    l1 += std::fabs(double{a[d]} - b[d]);
  }
  switch (f) {
    case SimilarityFunction::kCosine: return dot / std::max(std::sqrt(na), 1e-12) / std::max(std::sqrt(nb), 1e-12);
    case SimilarityFunction::kDot: return dot;
    case SimilarityFunction::kEuclidean: return -std::sqrt(l2);
    case SimilarityFunction::kManhattan: return -l1;
  }
  return 0;
}

}  // namespace

TEST(quantize_int8_uint8_buckets_like_numpy) {
  // Two calibration rows give ranges [0, 2.55] and [-1, -1] (a zero step becomes 1).
  const float calibration[] = {0.0f, -1.0f, 2.55f, -1.0f};
  float ranges[4];
  CHECK(sk::kernels::ComputeQuantizationRanges(calibration, 2, 2, ranges).ok());
  CHECK(ranges[0] == 0.0f && ranges[2] == 2.55f && ranges[1] == -1.0f && ranges[3] == -1.0f);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float embeddings[] = {0.0f, -1.0f, 2.55f, 5.0f, -3.0f, -2.0f, 1.0f, nan};
  uint8_t u8[8];
  int8_t i8[8];
  CHECK(sk::kernels::QuantizeUint8(embeddings, 4, 2, ranges, u8).ok());
  CHECK(sk::kernels::QuantizeInt8(embeddings, 4, 2, ranges, i8).ok());
  // floor((x - start) / step) clipped to [0, 255]; step 0.01 in float32 for dimension 0.
  const float step = 2.55f / 255.0f;
  const uint8_t bucket_one = static_cast<uint8_t>(std::floor((1.0f - 0.0f) / step));
  const uint8_t expected[] = {0, 0, 255, 6, 0, 0, bucket_one, 0};
  for (int i = 0; i < 8; ++i) {
    CHECK(u8[i] == expected[i]) << "i " << i << " got " << int(u8[i]);
    CHECK(i8[i] == static_cast<int8_t>(int(expected[i]) - 128)) << "i " << i;
  }
  CHECK(!sk::kernels::ComputeQuantizationRanges(calibration, 0, 2, ranges).ok()) << "no calibration rows";
  CHECK(!sk::kernels::QuantizeInt8(embeddings, 4, 0, ranges, i8).ok()) << "dim 0";
}

TEST(quantize_binary_is_packbits) {
  // 10 dims -> 2 bytes; dims 0, 2, 9 positive; NaN and 0 are not positive.
  const float row[] = {1, -1, 0.5f, 0, std::numeric_limits<float>::quiet_NaN(), -2, -3, -4, -5, 7};
  uint8_t ubinary[2];
  int8_t binary[2];
  CHECK(sk::kernels::PackedBitBytes(10) == 2 && sk::kernels::PackedBitBytes(8) == 1);
  CHECK(sk::kernels::QuantizeUbinary(row, 1, 10, ubinary).ok());
  CHECK(sk::kernels::QuantizeBinary(row, 1, 10, binary).ok());
  CHECK(ubinary[0] == 0xA0 && ubinary[1] == 0x40) << int(ubinary[0]) << " " << int(ubinary[1]);
  CHECK(binary[0] == 0xA0 - 128 && binary[1] == 0x40 - 128);
}

TEST(similarity_matrix_and_pairwise_match_reference) {
  std::mt19937 rng(41);
  std::normal_distribution<float> normal;
  const CpuLevel before = sk::kernels::ActiveCpuLevel();
  for (size_t dim : {1, 7, 31, 384, 385}) {
    const size_t ra = 9, rb = 13;
    std::vector<float> a(ra * dim), b(rb * dim);
    for (float& v : a) v = normal(rng);
    for (float& v : b) v = normal(rng);
    for (size_t d = 0; d < dim; ++d) a[d] = 0.0f;            // a zero row
    for (size_t d = 0; d < dim; ++d) b[dim + d] = a[dim + d];  // an identical pair
    for (int level = 0; level <= static_cast<int>(sk::kernels::SupportedCpuLevel()); ++level) {
      sk::kernels::SetCpuLevelForTesting(static_cast<CpuLevel>(level));
      for (SimilarityFunction f : {SimilarityFunction::kCosine, SimilarityFunction::kDot, SimilarityFunction::kEuclidean,
                                   SimilarityFunction::kManhattan}) {
        std::vector<float> matrix(ra * rb), pairwise(ra);
        CHECK(sk::kernels::SimilarityMatrix(f, a.data(), ra, b.data(), rb, dim, matrix.data()).ok());
        CHECK(sk::kernels::PairwiseSimilarity(f, a.data(), b.data(), ra, dim, pairwise.data()).ok());
        for (size_t i = 0; i < ra; ++i) {
          for (size_t j = 0; j < rb; ++j) {
            const double want = Reference(f, a.data() + i * dim, b.data() + j * dim, dim);
            CHECK_NEAR(matrix[i * rb + j], want, 2e-5 * std::max(1.0, std::sqrt(double(dim)) * std::fabs(want)))
                << "level " << level << " f " << int(f) << " dim " << dim;
          }
          const double want = Reference(f, a.data() + i * dim, b.data() + i * dim, dim);
          CHECK_NEAR(pairwise[i], want, 2e-5 * std::max(1.0, std::sqrt(double(dim)) * std::fabs(want))) << "pairwise";
        }
        if (f == SimilarityFunction::kEuclidean || f == SimilarityFunction::kManhattan) {
          CHECK(pairwise[1] == 0.0f) << "identical rows are at distance exactly 0";
        }
      }
    }
  }
  sk::kernels::SetCpuLevelForTesting(before);
  float out[1];
  const float x[] = {1.0f};
  CHECK(!sk::kernels::SimilarityMatrix(SimilarityFunction::kDot, x, 1, x, 1, 0, out).ok()) << "dim 0";
  CHECK(sk::kernels::SimilarityMatrix(SimilarityFunction::kDot, x, 0, x, 1, 1, out).ok()) << "empty side";
}
