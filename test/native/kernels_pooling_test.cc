// Every SIMD level of the pooling and normalization kernels against the scalar reference,
// on odd sizes, all-masked rows, zero vectors and NaN/Inf inputs.
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "check.h"
#include "cpu_levels.h"
#include "kernels/cpu/kernel_table.h"
#include "kernels/kernels.h"
#include "kernels/testing.h"

namespace {

using sk::kernels::CpuLevel;
using sk::kernels::KernelTable;

struct Case {
  size_t batch, seq, hidden;
};

const Case kCases[] = {{1, 1, 1}, {2, 3, 7}, {3, 5, 31}, {4, 9, 384}, {2, 17, 385}, {5, 1, 16}, {1, 33, 1024}};

std::vector<float> RandomTokens(const Case& c, std::mt19937& rng) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> tokens(c.batch * c.seq * c.hidden);
  for (float& v : tokens) v = normal(rng);
  return tokens;
}

// Right padding with random lengths; row 0 of a multi-row batch is all masked out.
std::vector<int64_t> RandomMask(const Case& c, std::mt19937& rng) {
  std::vector<int64_t> mask(c.batch * c.seq, 0);
  for (size_t b = 0; b < c.batch; ++b) {
    const size_t length = (c.batch > 1 && b == 0) ? 0 : 1 + rng() % c.seq;
    for (size_t s = 0; s < length; ++s) mask[b * c.seq + s] = 1;
  }
  return mask;
}

template <typename Fn>
void ForEachSimdLevel(Fn fn) {
  for (int level = 1; level <= static_cast<int>(sk::kernels::SupportedCpuLevel()); ++level) {
    fn(level, sk::kernels::KernelsFor(level));
  }
  sktest::SkipCpuLevelsAbove(sk::kernels::kHighestCpuLevel);
}

bool SameFloat(float a, float b, float tolerance) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (std::isinf(a) || std::isinf(b)) return a == b;
  return std::fabs(a - b) <= tolerance * std::max(1.0f, std::fabs(b));
}


}  // namespace

TEST(kernels_mean_and_max_pool_match_scalar) {
  std::mt19937 rng(7);
  const KernelTable& scalar = sk::kernels::ScalarKernels();
  for (const Case& c : kCases) {
    std::vector<float> tokens = RandomTokens(c, rng);
    std::vector<int64_t> mask = RandomMask(c, rng);
    std::vector<float> expected_mean(c.batch * c.hidden), expected_max(c.batch * c.hidden);
    scalar.mean_pool(tokens.data(), mask.data(), c.batch, c.seq, c.hidden, expected_mean.data());
    scalar.max_pool(tokens.data(), mask.data(), c.batch, c.seq, c.hidden, expected_max.data());
    ForEachSimdLevel([&](int level, const KernelTable& table) {
      std::vector<float> mean(c.batch * c.hidden), max(c.batch * c.hidden);
      table.mean_pool(tokens.data(), mask.data(), c.batch, c.seq, c.hidden, mean.data());
      table.max_pool(tokens.data(), mask.data(), c.batch, c.seq, c.hidden, max.data());
      for (size_t i = 0; i < mean.size(); ++i) {
        CHECK(SameFloat(mean[i], expected_mean[i], 1e-6f)) << "mean level " << level << " hidden " << c.hidden << " i " << i;
        CHECK(SameFloat(max[i], expected_max[i], 0.0f)) << "max level " << level << " hidden " << c.hidden << " i " << i;
      }
    });
  }
}

TEST(kernels_pool_semantics_of_sentence_transformers) {
  // Two tokens of width 3, the second masked out; and an all-masked row.
  const float tokens[] = {1, -2, 3, 100, 100, 100, /* row 1 */ 5, 5, 5, 6, 6, 6};
  const int64_t mask[] = {1, 0, 0, 0};
  for (int level = 0; level <= static_cast<int>(sk::kernels::SupportedCpuLevel()); ++level) {
    const KernelTable& table = sk::kernels::KernelsFor(level);
    float mean[6], max[6];
    table.mean_pool(tokens, mask, 2, 2, 3, mean);
    table.max_pool(tokens, mask, 2, 2, 3, max);
    CHECK(mean[0] == 1 && mean[1] == -2 && mean[2] == 3) << "level " << level;
    CHECK(mean[3] == 0 && mean[4] == 0 && mean[5] == 0) << "all-masked mean is zero, level " << level;
    CHECK(max[0] == 1 && max[1] == -2 && max[2] == 3) << "level " << level;
    CHECK(std::isinf(max[3]) && max[3] < 0) << "all-masked max is -inf, level " << level;
  }
  float cls[6];
  const int64_t left_padded[] = {0, 1, 1, 1};
  sk::kernels::ClsPool(tokens, left_padded, 2, 2, 3, cls);
  CHECK(cls[0] == 100 && cls[3] == 5) << "first unmasked token";
}

TEST(kernels_pool_propagates_nan_and_inf) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> tokens(3 * 19, 0.5f);
  tokens[19 + 4] = nan;   // token 1, dim 4
  tokens[2 * 19 + 7] = inf;
  const int64_t mask[] = {1, 1, 1};
  for (int level = 0; level <= static_cast<int>(sk::kernels::SupportedCpuLevel()); ++level) {
    const KernelTable& table = sk::kernels::KernelsFor(level);
    float mean[19], max[19];
    table.mean_pool(tokens.data(), mask, 1, 3, 19, mean);
    table.max_pool(tokens.data(), mask, 1, 3, 19, max);
    CHECK(std::isnan(mean[4]) && std::isnan(max[4])) << "NaN propagates, level " << level;
    CHECK(std::isinf(mean[7]) && std::isinf(max[7])) << "Inf propagates, level " << level;
    CHECK(mean[0] == 0.5f && max[0] == 0.5f) << "level " << level;
  }
}

TEST(kernels_l2_normalize_matches_scalar_and_torch_eps) {
  std::mt19937 rng(11);
  std::normal_distribution<float> normal(0.0f, 3.0f);
  for (size_t dim : {1, 7, 8, 15, 16, 17, 384, 385, 1023}) {
    const size_t rows = 3;
    std::vector<float> data(rows * dim);
    for (float& v : data) v = normal(rng);
    for (size_t i = 0; i < dim; ++i) data[i] = 0.0f;  // a zero row stays zero (norm clamped to 1e-12)
    std::vector<float> expected = data;
    sk::kernels::ScalarKernels().l2_normalize_rows(expected.data(), rows, dim);
    for (size_t i = 0; i < dim; ++i) CHECK(expected[i] == 0.0f);
    double norm = 0;
    for (size_t i = dim; i < 2 * dim; ++i) norm += expected[i] * expected[i];
    CHECK_NEAR(norm, 1.0, 1e-5);
    ForEachSimdLevel([&](int level, const KernelTable& table) {
      std::vector<float> got = data;
      table.l2_normalize_rows(got.data(), rows, dim);
      for (size_t i = 0; i < got.size(); ++i) {
        CHECK(SameFloat(got[i], expected[i], 1e-6f)) << "level " << level << " dim " << dim << " i " << i;
      }
    });
  }
}

TEST(kernels_dispatch_respects_forced_level) {
  const CpuLevel before = sk::kernels::ActiveCpuLevel();
  sk::kernels::SetCpuLevelForTesting(CpuLevel::kScalar);
  CHECK(sk::kernels::ActiveCpuLevel() == CpuLevel::kScalar);
  sk::kernels::SetCpuLevelForTesting(sk::kernels::kHighestCpuLevel);
  CHECK(sk::kernels::ActiveCpuLevel() == sk::kernels::SupportedCpuLevel()) << "clamped to the CPU";
  sk::kernels::SetCpuLevelForTesting(before);
}
