// Shared by the CPU engine's tests: random inputs, and a loop over every GEMM kernel this CPU
// can run (the portable loop at the scalar level, the AVX2 kernel and its VNNI-on-ymm form, the
// AVX-512 kernel, the AMX one).
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "cpu_levels.h"
#include "kernels/cpu/int8_amx.h"
#include "kernels/kernels.h"
#include "kernels/testing.h"

namespace sktest {

inline std::vector<float> RandomFloats(size_t count, std::mt19937& rng, float scale = 1.0f) {
  std::normal_distribution<float> value(0.0f, scale);
  std::vector<float> floats(count);
  for (float& f : floats) f = value(rng);
  return floats;
}

// The GEMM epilogue's activations written out from their definitions in double, independent of
// the kernels' own sk::kernels::ApplyGemmActivation (0 none, 1 GELU erf, 2 GELU tanh, 3 ReLU,
// GemmActivation's order).
inline double ReferenceActivation(int activation, double x) {
  constexpr double kPi = 3.14159265358979323846;
  switch (activation) {
    case 1: return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
    case 2: return 0.5 * x * (1.0 + std::tanh(std::sqrt(2.0 / kPi) * (x + 0.044715 * x * x * x)));
    case 3: return x > 0.0 ? x : 0.0;
    default: return x;
  }
}

// Random sequences of mixed lengths (1 to 128 tokens, up to max_length) packed into one batch,
// as the engine takes them: ids back to back, offsets[s] where sequence s starts.
struct PackedIds {
  std::vector<std::vector<int32_t>> sequences;
  std::vector<int32_t> ids, offsets{0};
};

inline PackedIds RandomPackedIds(int32_t vocab, size_t max_length, std::mt19937& rng) {
  PackedIds packed;
  std::uniform_int_distribution<int32_t> id(5, vocab - 1);
  for (size_t length : {1u, 2u, 9u, 40u, 77u, 128u}) {
    if (length > max_length) continue;
    std::vector<int32_t> ids;
    while (ids.size() < length) ids.push_back(id(rng));
    packed.ids.insert(packed.ids.end(), ids.begin(), ids.end());
    packed.offsets.push_back(static_cast<int32_t>(packed.ids.size()));
    packed.sequences.push_back(std::move(ids));
  }
  return packed;
}

// Runs fn(kernel_name()) at each CPU level and AMX setting this machine has (AMX only at the
// AVX-512 level, and only where `amx_available()` says it runs), then restores both.
template <typename Name, typename Available, typename Fn>
void ForEachEngineKernel(Name kernel_name, Available amx_available, Fn fn) {
  const sk::kernels::CpuLevel before = sk::kernels::ActiveCpuLevel();
#if !defined(__aarch64__)
  const bool vnni_before = sk::kernels::YmmVnniForTesting();
#endif
  for (int level = 0; level <= static_cast<int>(sk::kernels::SupportedCpuLevel()); ++level) {
    for (bool amx : {false, true}) {
      if (amx && level != 2) continue;
      sk::kernels::SetCpuLevelForTesting(static_cast<sk::kernels::CpuLevel>(level));
      sk::kernels::SetAmxForTesting(amx);
      if (amx && !amx_available()) continue;
#if !defined(__aarch64__)
      // The avx2 level with and without VPDPBUSD on ymm, where the CPU has either form and the
      // kernel differs (the bf16x3 GEMM does not use it).
      sk::kernels::SetYmmVnniForTesting(false);
      const std::string plain = kernel_name();
      fn(plain.c_str());
      sk::kernels::SetYmmVnniForTesting(true);
      if (plain != kernel_name()) fn(kernel_name());
      sk::kernels::SetYmmVnniForTesting(false);
#else
      fn(kernel_name());
#endif
    }
  }
  sk::kernels::SetAmxForTesting(true);
  sk::kernels::SetCpuLevelForTesting(before);
#if !defined(__aarch64__)
  sk::kernels::SetYmmVnniForTesting(vnni_before);
#endif
  SkipCpuLevelsAbove(sk::kernels::kHighestCpuLevel);
#if !defined(__aarch64__)
  if (sk::kernels::SupportedCpuLevel() == sk::kernels::CpuLevel::kAvx512 && !amx_available()) SkipPart("amx kernels (not on this CPU)");
#endif
}

}  // namespace sktest
