// The pre-norm blocks' operations (cpu_engine/block_ops.h) against their definitions written
// out here in double, and windowed attention (causal, sliding, symmetric; encoder_ops.h): the
// scalar form against a full softmax with the masked scores at -infinity, each SIMD form
// against the scalar one on odd sizes.
#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "check.h"
#include "core/aligned_vector.h"
#include "cpu_engine/block_ops.h"
#include "cpu_engine/encoder_ops.h"
#include "engine_kernels.h"

namespace {

using sktest::RandomFloats;
using sk::cpu::GateActivation;
using sk::cpu::HeadView;

struct Window {
  size_t before, after;
};

// Windows every model kind uses: none, causal, symmetric (ModernBERT), causal sliding (Gemma 3),
// and lopsided ones.
const Window kWindows[] = {{sk::cpu::kAllKeys, sk::cpu::kAllKeys}, {sk::cpu::kAllKeys, 0}, {2, 2}, {7, 7}, {4, 0},
                           {0, 0}, {0, 5}, {20, 3}};

// softmax over all keys with those outside the window at -infinity, in double.
std::vector<double> MaskedAttention(const HeadView& view, size_t length, size_t head_dim, double scale,
                                    const Window& window) {
  std::vector<double> out(length * head_dim), scores(length);
  for (size_t i = 0; i < length; ++i) {
    double peak = -INFINITY;
    for (size_t j = 0; j < length; ++j) {
      const bool inside = (window.before == sk::cpu::kAllKeys || j + window.before >= i) &&
                          (window.after == sk::cpu::kAllKeys || j <= i + window.after);
      double dot = 0;
      for (size_t d = 0; d < head_dim; ++d) dot += static_cast<double>(view.q[i * view.stride + d]) * view.k[j * view.stride + d];
      scores[j] = inside ? dot * scale : -INFINITY;
      peak = std::max(peak, scores[j]);
    }
    double total = 0;
    for (double& s : scores) total += (s = std::exp(s - peak));
    for (size_t d = 0; d < head_dim; ++d) {
      double acc = 0;
      for (size_t j = 0; j < length; ++j) acc += scores[j] * view.v[j * view.stride + d];
      out[i * head_dim + d] = acc / total;
    }
  }
  return out;
}

using AttentionFn = void (*)(const HeadView&, size_t, size_t, float, float*);
struct AttentionForm {
  const char* name;
  sk::kernels::CpuLevel level;
  AttentionFn attention;
};
// The SIMD forms exist on x86 builds only; aarch64 runs the dispatched (scalar) form alone here.
#if defined(__x86_64__) || defined(__i386__)
const AttentionForm kAttentionForms[] = {{"avx2", sk::kernels::CpuLevel::kAvx2, sk::cpu::avx2::AttentionHead},
                                         {"avx512", sk::kernels::CpuLevel::kAvx512, sk::cpu::avx512::AttentionHead}};
constexpr sk::kernels::CpuLevel kTopLevel = sk::kernels::CpuLevel::kAvx512;
#else
const AttentionForm kAttentionForms[] = {{"scalar", sk::kernels::CpuLevel::kScalar, sk::cpu::scalar::AttentionHead}};
constexpr sk::kernels::CpuLevel kTopLevel = sk::kernels::CpuLevel::kScalar;
#endif

TEST(windowed_attention_matches_masked_softmax) {
  std::mt19937 rng(11);
  for (const Window& window : kWindows) {
    for (size_t head_dim : {3u, 8u, 17u, 64u}) {
      for (size_t length : {1u, 2u, 5u, 16u, 17u, 31u, 70u}) {
        const size_t stride = 3 * head_dim + 3;
        std::vector<float> qkv = RandomFloats(length * stride, rng, 1.5f);
        std::vector<float> out(length * head_dim, -7.0f);
        sk::AlignedVector<float> scratch(sk::cpu::AttentionScratchFloats(length, head_dim));
        HeadView view{qkv.data(), qkv.data() + head_dim, qkv.data() + 2 * head_dim, stride, out.data(), head_dim};
        view.window_before = window.before;
        view.window_after = window.after;
        const double scale = 1.0 / std::sqrt(static_cast<double>(head_dim));
        const std::vector<double> expected = MaskedAttention(view, length, head_dim, scale, window);
        const std::string where = "window (" + std::to_string(window.before) + ", " + std::to_string(window.after) +
                                  ") head_dim " + std::to_string(head_dim) + " length " + std::to_string(length);
        sk::cpu::scalar::AttentionHead(view, length, head_dim, static_cast<float>(scale), scratch.data());
        double worst = 0;
        for (size_t i = 0; i < out.size(); ++i) worst = sktest::MaxOrNan(worst, std::fabs(out[i] - expected[i]));
        CHECK(worst < 1e-5) << "scalar, " << where << " max |diff| " << worst;
        // The dispatcher at this CPU's level (never AMX: a window keeps it off).
        std::fill(out.begin(), out.end(), -7.0f);
        sk::cpu::AttentionHeadFp32(view, length, head_dim, static_cast<float>(scale), scratch.data());
        worst = 0;
        for (size_t i = 0; i < out.size(); ++i) worst = sktest::MaxOrNan(worst, std::fabs(out[i] - expected[i]));
        CHECK(worst < 1e-4 || !view.windowed()) << "dispatched, " << where << " max |diff| " << worst;
        for (const AttentionForm& form : kAttentionForms) {
          if (form.level > sk::kernels::SupportedCpuLevel()) continue;
          std::vector<float> simd(length * head_dim + 1, -7.0f);
          view.out = simd.data();
          form.attention(view, length, head_dim, static_cast<float>(scale), scratch.data());
          view.out = out.data();
          worst = 0;
          for (size_t i = 0; i < out.size(); ++i) worst = sktest::MaxOrNan(worst, std::fabs(simd[i] - expected[i]));
          CHECK(worst < 1e-4) << form.name << ", " << where << " max |diff| " << worst;
          CHECK(simd.back() == -7.0f) << form.name << " wrote past the output, " << where;
        }
      }
    }
  }
  sktest::SkipCpuLevelsAbove(kTopLevel);
}

// A window reaching past the sequence either way is the same as none.
TEST(attention_window_wider_than_sequence_is_full) {
  std::mt19937 rng(12);
  const size_t head_dim = 16, length = 9, stride = 3 * head_dim;
  std::vector<float> qkv = RandomFloats(length * stride, rng);
  std::vector<float> full(length * head_dim), wide(length * head_dim);
  sk::AlignedVector<float> scratch(sk::cpu::AttentionScratchFloats(length, head_dim));
  HeadView view{qkv.data(), qkv.data() + head_dim, qkv.data() + 2 * head_dim, stride, full.data(), head_dim};
  sk::cpu::AttentionHeadFp32(view, length, head_dim, 0.25f, scratch.data());
  view.out = wide.data();
  view.window_before = view.window_after = length;
  sk::cpu::AttentionHeadFp32(view, length, head_dim, 0.25f, scratch.data());
  float worst = 0;
  for (size_t i = 0; i < full.size(); ++i) worst = sktest::MaxOrNan(worst, std::fabs(full[i] - wide[i]));
  CHECK(worst < 1e-5f) << "max |diff| " << worst;
}

double ReferenceGate(GateActivation activation, double x) {
  switch (activation) {
    case GateActivation::kSilu: return x / (1.0 + std::exp(-x));
    case GateActivation::kGeluErf: return sktest::ReferenceActivation(1, x);
    case GateActivation::kGeluTanh: return sktest::ReferenceActivation(2, x);
  }
  return x;
}

using GateFn = void (*)(GateActivation, const float*, const float*, size_t, float*);

TEST(gated_activation_matches_definition_at_every_level) {
  std::mt19937 rng(13);
  struct Form {
    const char* name;
    sk::kernels::CpuLevel level;
    GateFn fn;
  };
  const Form forms[] = {{"scalar", sk::kernels::CpuLevel::kScalar, sk::cpu::scalar::GatedActivationRow},
#if defined(__x86_64__) || defined(__i386__)
                        {"avx2", sk::kernels::CpuLevel::kAvx2, sk::cpu::avx2::GatedActivationRow},
                        {"avx512", sk::kernels::CpuLevel::kAvx512, sk::cpu::avx512::GatedActivationRow},
#endif
  };
  for (GateActivation activation : {GateActivation::kSilu, GateActivation::kGeluErf, GateActivation::kGeluTanh}) {
    for (size_t cols : {1u, 7u, 8u, 15u, 17u, 33u, 1000u}) {
      std::vector<float> activated = RandomFloats(cols, rng, 4.0f), linear = RandomFloats(cols, rng);
      activated[0] = cols > 1 ? -95.0f : activated[0];  // exp's clamp: silu and gelu of a large negative are 0
      if (cols > 2) activated[1] = 90.0f;
      for (const Form& form : forms) {
        if (form.level > sk::kernels::SupportedCpuLevel()) continue;
        std::vector<float> out(cols + 1, 42.0f);
        form.fn(activation, activated.data(), linear.data(), cols, out.data());
        double worst = 0;
        for (size_t c = 0; c < cols; ++c) {
          const double expected = ReferenceGate(activation, activated[c]) * linear[c];
          worst = sktest::MaxOrNan(worst, std::fabs(out[c] - expected) / std::max(1.0, std::fabs(expected)));
        }
        CHECK(worst < 2e-6) << form.name << " activation " << static_cast<int>(activation) << " cols " << cols
                            << " max relative |diff| " << worst;
        CHECK(out[cols] == 42.0f) << form.name << " wrote past cols " << cols;
      }
      // In place over either input, as the engine calls it.
      std::vector<float> in_place = activated;
      sk::cpu::GatedActivationRow(activation, in_place.data(), linear.data(), cols, in_place.data());
      std::vector<float> separate(cols);
      sk::cpu::GatedActivationRow(activation, activated.data(), linear.data(), cols, separate.data());
      CHECK(in_place == separate) << "in place, activation " << static_cast<int>(activation) << " cols " << cols;
    }
  }
  sktest::SkipCpuLevelsAbove(kTopLevel);
}

TEST(rotary_matches_rotate_half_definition) {
  std::mt19937 rng(14);
  for (size_t dim : {2u, 8u, 64u, 128u}) {
    for (double theta : {10000.0, 1000000.0}) {
      const std::vector<float> inverse = sk::cpu::RotaryInverseFrequencies(dim, theta);
      CHECK(inverse.size() == dim / 2);
      sk::cpu::RotaryTable table;
      table.Fill(inverse, 300);
      for (size_t position : {0u, 1u, 37u, 299u}) {
        std::vector<float> x = RandomFloats(dim, rng), rotated = x;
        sk::cpu::ApplyRotary(rotated.data(), dim, table.cos(position), table.sin(position));
        double worst = 0;
        for (size_t i = 0; i < dim; ++i) {
          const size_t f = i % (dim / 2);
          const double angle = static_cast<double>(position) / std::pow(theta, 2.0 * f / dim);
          const double half = i < dim / 2 ? -static_cast<double>(x[i + dim / 2]) : x[i - dim / 2];  // rotate_half
          const double expected = x[i] * std::cos(angle) + half * std::sin(angle);
          worst = sktest::MaxOrNan(worst, std::fabs(rotated[i] - expected));
        }
        // float32 angles as transformers computes them: about position · 2^-24 of rounding.
        CHECK(worst < 1e-6 * (1.0 + static_cast<double>(position)) * 4) << "dim " << dim << " theta " << theta << " position "
                                                                       << position << " max |diff| " << worst;
      }
    }
  }
  // Linear scaling divides each frequency by the factor.
  const std::vector<float> plain = sk::cpu::RotaryInverseFrequencies(16, 10000.0), scaled = sk::cpu::RotaryInverseFrequencies(16, 10000.0, 8.0);
  for (size_t i = 0; i < plain.size(); ++i) CHECK_NEAR(scaled[i], plain[i] / 8.0f, 1e-9);
  // A table filled further keeps its rows; one filled from other frequencies is recomputed.
  sk::cpu::RotaryTable table;
  table.Fill(plain, 4);
  const float before = table.cos(3)[1];
  table.Fill(plain, 10);
  CHECK(table.cos(3)[1] == before);
  table.Fill(scaled, 10);
  CHECK(table.cos(3)[1] != before);
}

TEST(norm_row_matches_definition) {
  std::mt19937 rng(15);
  for (size_t cols : {1u, 8u, 33u, 384u}) {
    std::vector<float> x = RandomFloats(cols, rng, 3.0f), weight = RandomFloats(cols, rng), bias = RandomFloats(cols, rng);
    for (int form = 0; form < 4; ++form) {
      sk::cpu::RowNorm norm;
      norm.weight = weight.data();
      norm.eps = 1e-6f;
      norm.rms = form < 2;
      norm.weight_offset = form == 1 ? 1.0f : 0.0f;  // Gemma's (1 + weight)
      norm.bias = form == 3 ? bias.data() : nullptr;
      double mean = 0, squares = 0;
      if (!norm.rms) {
        for (float v : x) mean += v;
        mean /= cols;
      }
      for (float v : x) squares += (v - mean) * (v - mean);
      const double inverse = 1.0 / std::sqrt(squares / cols + 1e-6);
      std::vector<float> out(cols + 1, 42.0f), in_place = x;
      sk::cpu::NormRow(norm, x.data(), cols, out.data());
      sk::cpu::NormRow(norm, in_place.data(), cols, in_place.data());
      double worst = 0;
      for (size_t c = 0; c < cols; ++c) {
        double expected = (x[c] - mean) * inverse * (norm.weight_offset + weight[c]);
        if (norm.bias != nullptr) expected += bias[c];
        worst = sktest::MaxOrNan(worst, std::fabs(out[c] - expected));
        CHECK(in_place[c] == out[c]) << "in place, form " << form << " cols " << cols;
      }
      CHECK(worst < 1e-5) << "form " << form << " cols " << cols << " max |diff| " << worst;
      CHECK(out[cols] == 42.0f) << "wrote past cols " << cols;
    }
  }
}

}  // namespace
