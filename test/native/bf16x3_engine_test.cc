// The CPU engine's bf16x3 precision: the splitter (AVX512-BF16 against scalar, bit for bit), the
// GEMM (AMX against the portable loop, and both against the float64 product they approximate),
// and the whole encoder against the fp32 reference forward pass and transformers' own hidden
// states. The bar is float32's: bf16x3 drops only the lo · lo products (about 2^-16 each).
#include <algorithm>
#include <cmath>
#include <iostream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "check.h"
#include "core/aligned_vector.h"
#include "cpu_engine/cpu_encoder.h"
#include "cpu_engine/encoder_ops.h"
#include "engine_kernels.h"
#include "fixtures.h"
#include "kernels/bf16x3_gemm.h"
#include "kernels/cpu/int8_amx.h"
#include "kernels/kernels.h"
#include "reference_encoder.h"

namespace {

using sk::kernels::GemmActivation;

using sktest::RandomFloats;

// Runs fn(kernel name) on each bf16x3 GEMM kernel this CPU has: the portable loop, AVX2 FMAs,
// AVX-512 FMAs, AMX-BF16.
template <typename Fn>
void ForEachBf16x3Kernel(Fn fn) {
  sktest::ForEachEngineKernel(sk::kernels::Bf16x3GemmKernel, sk::kernels::AmxBf16Enabled, fn);
}

sk::cpu::CpuEncoder::LoadOptions Bf16x3Options(size_t threads) {
  sk::cpu::CpuEncoder::LoadOptions options;
  options.threads = threads;
  options.precision = sk::cpu::EnginePrecision::kBf16x3;
  return options;
}

}  // namespace

TEST(bf16x3_split_is_hi_plus_lo_and_matches_scalar) {
  std::mt19937 rng(3);
  for (size_t k : {1u, 15u, 16u, 17u, 31u, 32u, 33u, 100u, 384u}) {
    std::vector<float> x = RandomFloats(k, rng, 3.0f);
    if (k > 4) {
      x[0] = 0.0f;
      x[1] = -0.0f;
      x[2] = 1e-40f;  // a denormal: zero, as the hardware converts it
      x[3] = 65504.5f;
    }
    if (k > 8) {
      x[4] = INFINITY;
      x[5] = -INFINITY;
      x[6] = NAN;
      x[7] = std::numeric_limits<float>::max();  // rounds up to infinity
    }
    const size_t stride = sk::kernels::Bf16x3RowStride(k);
    std::vector<uint16_t> scalar(stride, 0xFFFF);
    sk::kernels::SplitRowBf16x3Scalar(x.data(), k, scalar.data());
    ForEachBf16x3Kernel([&](const char* kernel) {
      std::vector<uint16_t> fast(stride, 0xFFFF);
      sk::kernels::SplitRowBf16x3(x.data(), k, fast.data());
      CHECK(scalar == fast) << "k " << k << " (" << kernel << ")";
    });
    for (size_t i = 0; i < k; ++i) {
      if (!std::isfinite(x[i]) || std::fabs(x[i]) > 3.0e38f) continue;  // infinities and NaN split into themselves
      const size_t step = i / 32, at = i % 32;
      const float hi = sk::kernels::FromBf16(scalar[2 * step * 32 + at]), lo = sk::kernels::FromBf16(scalar[(2 * step + 1) * 32 + at]);
      const double error = std::fabs(static_cast<double>(hi) + lo - x[i]);
      CHECK(error <= std::fabs(x[i]) * 1.6e-5 || std::fabs(x[i]) < 1e-37f) << "k " << k << " value " << x[i] << ": hi + lo off by " << error;
    }
    for (size_t i = 0; i < stride; ++i) {
      if ((i % 32) + (i / 64) * 32 >= k) CHECK(scalar[i] == 0) << "k " << k << ": value " << i << " past K is not zero";
    }
  }
}

TEST(bf16x3_gemm_tracks_the_float64_product) {
  std::mt19937 rng(9);
  for (size_t rows : {1u, 15u, 17u, 33u, 77u, 130u}) {
    for (size_t k : {8u, 33u, 100u, 384u}) {
      for (size_t n : {5u, 16u, 50u, 97u}) {
        const size_t stride = sk::kernels::Bf16x3RowStride(k), padded_rows = (rows + 31) / 32 * 32;
        const std::vector<float> x = RandomFloats(rows * k, rng), w = RandomFloats(n * k, rng, 0.05f);
        const std::vector<float> bias = RandomFloats(n, rng);
        sk::AlignedVector<uint16_t> a(padded_rows * stride, 0), packed(sk::kernels::Bf16x3PackedValues(n, k));
        for (size_t r = 0; r < rows; ++r) sk::kernels::SplitRowBf16x3(x.data() + r * k, k, a.data() + r * stride);
        sk::kernels::PackBf16x3Weights(w.data(), n, k, packed.data());
        std::vector<double> expected(rows * n), magnitude(rows * n);
        for (size_t r = 0; r < rows; ++r) {
          for (size_t c = 0; c < n; ++c) {
            double sum = bias[c], size = std::fabs(bias[c]);
            for (size_t i = 0; i < k; ++i) {
              sum += static_cast<double>(x[r * k + i]) * w[c * k + i];
              size += std::fabs(static_cast<double>(x[r * k + i]) * w[c * k + i]);
            }
            expected[r * n + c] = sum;
            magnitude[r * n + c] = size;
          }
        }
        const size_t steps = sk::kernels::Bf16x3Steps(k), groups = sk::kernels::GemmGroups(n);
        std::vector<float> portable;
        ForEachBf16x3Kernel([&](const char* kernel) {
          std::vector<float> out(rows * n, -1.0f);
          sk::kernels::GemmOutput output;
          output.bias = bias.data();
          output.out = out.data();
          output.out_stride = output.columns = n;
          // Disjoint row and group ranges, as the engine's tasks split them.
          const size_t half = rows / 2 / 32 * 32;
          sk::kernels::Bf16x3Gemm(a.data(), stride, 0, half, packed.data(), steps, 0, groups, output);
          sk::kernels::Bf16x3Gemm(a.data(), stride, half, rows, packed.data(), steps, 0, 1, output);
          sk::kernels::Bf16x3Gemm(a.data(), stride, half, rows, packed.data(), steps, 1, groups, output);
          double worst = 0.0;
          for (size_t i = 0; i < out.size(); ++i) worst = sktest::MaxOrNan(worst, std::fabs(out[i] - expected[i]) / magnitude[i]);
          // Each half carries 8 significant bits, so hi + lo is within 2^-16 of x, and a product
          // within about 3 · 2^-16 of |a·w| at worst; fp32 accumulation adds about 1e-7. Over
          // many products the errors average out (about 1e-6 at K = 384).
          CHECK(worst < 1.5e-5) << "rows " << rows << " k " << k << " n " << n << " " << kernel << ": error / Σ|a·w| " << worst;
          if (portable.empty()) {
            portable = out;
          } else {
            float gap = 0.0f;
            for (size_t i = 0; i < out.size(); ++i) gap = sktest::MaxOrNan(gap, static_cast<float>(std::fabs(out[i] - portable[i]) / magnitude[i]));
            // The same three products in another order; the AVX-512, AVX2 and NEON kernels also
            // keep lo · lo (at most 2^-16 = 1.5e-5 of |a·w|).
            const bool joined = std::string(kernel) == "avx512" || std::string(kernel) == "avx2" || std::string(kernel) == "neon";
            const float bound = joined ? 1.5e-5f : 2e-6f;
            CHECK(gap < bound) << "rows " << rows << " k " << k << " n " << n << ": " << kernel << " against the portable loop " << gap;
          }
        });
      }
    }
  }
}

TEST(bf16x3_gemm_epilogue_applies_activations) {
  std::mt19937 rng(13);
  const size_t rows = 45, k = 96, n = 40, stride = sk::kernels::Bf16x3RowStride(k);
  const std::vector<float> x = RandomFloats(rows * k, rng), w = RandomFloats(n * k, rng, 0.1f), bias = RandomFloats(n, rng);
  sk::AlignedVector<uint16_t> a(64 * stride, 0), packed(sk::kernels::Bf16x3PackedValues(n, k));
  for (size_t r = 0; r < rows; ++r) sk::kernels::SplitRowBf16x3(x.data() + r * k, k, a.data() + r * stride);
  sk::kernels::PackBf16x3Weights(w.data(), n, k, packed.data());
  for (GemmActivation activation : {GemmActivation::kNone, GemmActivation::kGeluErf, GemmActivation::kGeluTanh, GemmActivation::kRelu}) {
    std::vector<float> plain(rows * n), out(rows * n);
    sk::kernels::GemmOutput output;
    output.bias = bias.data();
    output.out = plain.data();
    output.out_stride = output.columns = n;
    sk::kernels::Bf16x3GemmScalar(a.data(), stride, 0, rows, packed.data(), sk::kernels::Bf16x3Steps(k), 0, sk::kernels::GemmGroups(n), output);
    output.activation = activation;
    ForEachBf16x3Kernel([&](const char* kernel) {
      output.out = out.data();
      sk::kernels::Bf16x3Gemm(a.data(), stride, 0, rows, packed.data(), sk::kernels::Bf16x3Steps(k), 0, sk::kernels::GemmGroups(n), output);
      double worst = 0.0;
      for (size_t i = 0; i < out.size(); ++i) {
        const double want = sktest::ReferenceActivation(static_cast<int>(activation), plain[i]);
        worst = sktest::MaxOrNan(worst, std::fabs(out[i] - want) / std::max(1.0, std::fabs(want)));
      }
      CHECK(worst < 2e-5) << "activation " << static_cast<int>(activation) << " " << kernel << ": max |diff| " << worst;
    });
  }
}

TEST(bf16x3_encoder_matches_fp32_reference) {
  for (const char* name : {"tiny-bert", "tiny-roberta-weights", "tiny-mpnet-weights", "tiny-bert-hd32-weights"}) {
    const std::string dir = sktest::FixturePath(name);
    if (std::string(name) == "tiny-bert-hd32-weights") {
      // The one fixture whose heads AMX attention takes: say whether it runs here.
      if (sk::kernels::AmxBf16Enabled()) CHECK(sk::cpu::amx::Usable(32)) << "AMX-BF16 is on but 32-wide heads do not take AMX attention";
      else sktest::SkipPart("amx attention end to end (no AMX-BF16 on this CPU)");
    }
    sktest::ReferenceEncoder reference;
    CHECK(reference.Load(dir).ok()) << name;
    std::unique_ptr<sk::cpu::CpuEncoder> engine;
    const sk::Status loaded = sk::cpu::CpuEncoder::Load(dir, Bf16x3Options(2), &engine);
    CHECK(loaded.ok()) << name << ": " << loaded.message();
    if (!loaded.ok()) continue;
    CHECK(engine->precision() == sk::cpu::EnginePrecision::kBf16x3);
    std::mt19937 rng(5);
    const sktest::PackedIds packed = sktest::RandomPackedIds(reference.vocab(), static_cast<size_t>(engine->config().max_sequence()), rng);
    // References, not a structured binding: the lambdas below capture them (clang 14 refuses bindings).
    const auto& sequences = packed.sequences;
    const auto& ids = packed.ids;
    const auto& offsets = packed.offsets;
    const size_t H = engine->config().hidden_size;
    ForEachBf16x3Kernel([&](const char* kernel) {
      for (bool split : {false, true}) {
        const float* hidden = nullptr;
        const sk::Status ran = engine->Forward({ids.data(), nullptr, offsets.data(), sequences.size()}, 0, split, &hidden);
        CHECK(ran.ok()) << ran.message();
        if (!ran.ok()) return;
        float worst = 0.0f;
        for (size_t s = 0; s < sequences.size(); ++s) {
          const std::vector<float> expected = reference.Forward(sequences[s]);
          for (size_t i = 0; i < expected.size(); ++i) worst = sktest::MaxOrNan(worst, std::fabs(hidden[offsets[s] * H + i] - expected[i]));
        }
        if (split) std::cout << "  " << name << " " << kernel << ": max |diff| against the fp32 reference " << worst << "\n";
        CHECK(worst < 5e-5f) << name << " " << kernel << (split ? " split" : "") << ": max |diff| " << worst;
      }
    });
  }
}

// RoBERTa, MPNet and a BERT with 32-wide heads (so AMX attention runs where the CPU has AMX)
// against transformers itself (hidden_states.json beside their weights, written by
// test/tools/int8_engine_fixtures.py), at float32's tolerance.
TEST(bf16x3_encoder_matches_transformers_on_roberta_mpnet_and_wide_heads) {
  for (const std::string name : {"tiny-roberta-weights", "tiny-mpnet-weights", "tiny-bert-hd32-weights"}) {
    const sk::JsonValue cases = sktest::ReadFixtureJson(name + "/hidden_states.json");
    std::unique_ptr<sk::cpu::CpuEncoder> engine;
    const sk::Status loaded = sk::cpu::CpuEncoder::Load(sktest::FixturePath(name), Bf16x3Options(1), &engine);
    CHECK(loaded.ok()) << name << ": " << loaded.message();
    if (!engine) continue;
    const size_t H = engine->config().hidden_size;
    for (const sk::JsonValue& item : cases.array()) {
      std::vector<int32_t> ids;
      for (int64_t id : sktest::IntArray(*item.Find("ids"))) ids.push_back(static_cast<int32_t>(id));
      std::vector<int32_t> offsets{0, static_cast<int32_t>(ids.size())};
      const float* hidden = nullptr;
      CHECK(engine->Forward({ids.data(), nullptr, offsets.data(), 1}, 0, false, &hidden).ok());
      float worst = 0.0f;
      size_t i = 0;
      for (const sk::JsonValue& row : item.Find("last_hidden_state")->array()) {
        for (const sk::JsonValue& value : row.array()) worst = sktest::MaxOrNan(worst, std::fabs(hidden[i++] - static_cast<float>(value.number())));
      }
      CHECK(i == ids.size() * H) << name;
      CHECK(worst < 5e-5f) << name << ", " << ids.size() << " tokens: max |diff| against transformers " << worst;
    }
  }
}
