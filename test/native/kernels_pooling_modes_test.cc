// The pooling spec (every sentence-transformers mode, concatenation, include_prompt=false)
// and truncate_dim against a plain reference written from sentence-transformers' Pooling
// module, at every CPU level, with right and left padding.
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "check.h"
#include "kernels/kernels.h"
#include "kernels/pooling.h"
#include "kernels/testing.h"

namespace {

using sk::kernels::CpuLevel;
using sk::kernels::PoolingMode;
using sk::kernels::PoolingSpec;

// The reference, mode by mode, on the prompt-cleared mask (double sums, rounded at the end).
std::vector<float> ReferencePool(PoolingMode mode, const std::vector<float>& tokens, const std::vector<int64_t>& mask,
                                 size_t batch, size_t seq, size_t hidden) {
  std::vector<float> out(batch * hidden);
  for (size_t b = 0; b < batch; ++b) {
    const int64_t* m = mask.data() + b * seq;
    size_t first = 0, last = 0;
    bool any = false;
    for (size_t s = 0; s < seq; ++s) {
      if (m[s] == 0) continue;
      if (!any) first = s;
      any = true;
      last = s;
    }
    for (size_t h = 0; h < hidden; ++h) {
      auto at = [&](size_t s) { return tokens[(b * seq + s) * hidden + h]; };
      double sum = 0, weights = 0, weighted = 0;
      float max = -std::numeric_limits<float>::infinity();
      for (size_t s = 0; s < seq; ++s) {
        if (m[s] == 0) continue;
        sum += at(s);
        weights += static_cast<double>(s + 1);
        weighted += static_cast<double>(s + 1) * at(s);
        max = std::max(max, at(s));
      }
      const double count = std::max<double>(any ? static_cast<double>([&] {
        size_t c = 0;
        for (size_t s = 0; s < seq; ++s) c += m[s] != 0;
        return c;
      }()) : 0.0, 1e-9);
      float value = 0;
      switch (mode) {
        case PoolingMode::kCls: value = at(any ? first : 0); break;
        case PoolingMode::kMean: value = static_cast<float>(sum / count); break;
        case PoolingMode::kMax: value = max; break;
        case PoolingMode::kMeanSqrtLenTokens: value = static_cast<float>(sum / std::sqrt(count)); break;
        case PoolingMode::kWeightedMean: value = static_cast<float>(weighted / std::max(weights, 1e-9)); break;
        case PoolingMode::kLastToken: value = any ? at(last) : 0.0f; break;
      }
      out[b * hidden + h] = value;
    }
  }
  return out;
}

const PoolingMode kAllModes[] = {PoolingMode::kCls, PoolingMode::kMean, PoolingMode::kMax,
                                 PoolingMode::kMeanSqrtLenTokens, PoolingMode::kWeightedMean, PoolingMode::kLastToken};

}  // namespace

TEST(pooling_modes_concatenated_with_and_without_prompt) {
  std::mt19937 rng(31);
  std::normal_distribution<float> normal;
  const CpuLevel before = sk::kernels::ActiveCpuLevel();
  for (size_t hidden : {1, 7, 31, 384, 385}) {
    const size_t batch = 5, seq = 9;
    std::vector<float> tokens(batch * seq * hidden);
    for (float& v : tokens) v = normal(rng);
    // Rows: right padding, left padding, full, all masked out, a single token.
    std::vector<int64_t> mask(batch * seq, 0);
    for (size_t s = 0; s < 6; ++s) mask[0 * seq + s] = 1;
    for (size_t s = 4; s < seq; ++s) mask[1 * seq + s] = 1;
    for (size_t s = 0; s < seq; ++s) mask[2 * seq + s] = 1;
    mask[4 * seq + 0] = 1;
    const int64_t prompts[batch] = {2, 3, 0, 1, 4};
    for (bool with_prompt : {false, true}) {
      std::vector<int64_t> cleared = mask;
      if (with_prompt) {
        for (size_t b = 0; b < batch; ++b) {
          size_t first = 0;
          while (first < seq && mask[b * seq + first] == 0) ++first;
          if (first == seq) first = 0;
          for (size_t s = 0; s < std::min(seq, first + static_cast<size_t>(prompts[b])); ++s) cleared[b * seq + s] = 0;
        }
      }
      PoolingSpec spec;
      spec.modes.assign(std::begin(kAllModes), std::end(kAllModes));
      spec.prompt_lengths = with_prompt ? prompts : nullptr;
      const size_t width = sk::kernels::PooledDim(spec, hidden);
      CHECK(width == 6 * hidden);
      for (int level = 0; level <= static_cast<int>(sk::kernels::SupportedCpuLevel()); ++level) {
        sk::kernels::SetCpuLevelForTesting(static_cast<CpuLevel>(level));
        std::vector<float> out(batch * width, 12345.0f);
        CHECK(sk::kernels::Pool(spec, tokens.data(), mask.data(), batch, seq, hidden, out.data()).ok());
        for (size_t m = 0; m < spec.modes.size(); ++m) {
          const auto expected = ReferencePool(spec.modes[m], tokens, cleared, batch, seq, hidden);
          for (size_t b = 0; b < batch; ++b) {
            for (size_t h = 0; h < hidden; ++h) {
              const float got = out[b * width + m * hidden + h], want = expected[b * hidden + h];
              CHECK((std::isinf(want) && got == want) || std::fabs(got - want) <= 1e-5f * std::max(1.0f, std::fabs(want)))
                  << "mode " << m << " level " << level << " prompt " << with_prompt << " row " << b << " h " << h
                  << ": " << got << " vs " << want;
            }
          }
        }
      }
    }
  }
  sk::kernels::SetCpuLevelForTesting(before);
}

TEST(pooling_bad_sizes_and_truncate) {
  PoolingSpec empty;
  float token = 1.0f, out[4];
  const int64_t one = 1, negative = -1;
  CHECK(!sk::kernels::Pool(empty, &token, &one, 1, 1, 1, out).ok()) << "no modes";
  PoolingSpec spec;
  spec.modes = {PoolingMode::kMean};
  CHECK(!sk::kernels::Pool(spec, &token, &one, 1, 1, 0, out).ok()) << "hidden 0";
  spec.prompt_lengths = &negative;
  CHECK(!sk::kernels::Pool(spec, &token, &one, 1, 1, 1, out).ok()) << "negative prompt length";
  // A prompt longer than the text clears every token: mean gives zeros, like Python.
  const int64_t long_prompt = 5;
  spec.prompt_lengths = &long_prompt;
  CHECK(sk::kernels::Pool(spec, &token, &one, 1, 1, 1, out).ok() && out[0] == 0.0f);

  float rows[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  CHECK(sk::kernels::TruncateRows(rows, 3, 3, 2, rows).ok());
  CHECK(rows[0] == 1 && rows[1] == 2 && rows[2] == 4 && rows[3] == 5 && rows[4] == 7 && rows[5] == 8);
  CHECK(!sk::kernels::TruncateRows(rows, 3, 3, 4, rows).ok() && !sk::kernels::TruncateRows(rows, 3, 3, 0, rows).ok());
}
