// The CPU engine alone, without tokenizer or JavaScript: one packed batch of each shape through
// CpuEncoder::Forward, on one lane and split over every lane, and the GEMM kernels of the chosen
// precision (int8 by default, or bf16x3) on the all-MiniLM-L6-v2 layer shapes. Figures in
// bench/RESULTS.md (issue 6).
//
//   cmake --build build --target sentencekit_cpu_engine_bench && ./build/sentencekit_cpu_engine_bench bench/models/minilm-l6 [int8|bf16x3]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/aligned_vector.h"
#include "cpu_engine/cpu_encoder.h"
#include "kernels/bf16x3_gemm.h"
#include "kernels/int8_gemm.h"

namespace {

template <typename Fn>
double BestMilliseconds(int repeats, Fn&& fn) {
  double best = 1e30;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    fn();
    best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

constexpr int kShapes[][3] = {{384, 1152, 0}, {384, 384, 0}, {384, 1536, 1}, {1536, 384, 0}};

void Bf16x3GemmShapes() {
  using namespace sk::kernels;
  std::printf("\nBf16x3Gemm (%s), one thread, 1,024 rows in 64-row blocks, best of 20 (GFLOPS of the fp32 product):\n",
              Bf16x3GemmKernel());
  for (const auto& shape : kShapes) {
    const size_t M = 1024, K = shape[0], N = shape[1];
    const size_t stride = Bf16x3RowStride(K);
    std::vector<float> row(K, 0.37f), weights(N * K, 0.01f), bias(N, 0.1f), out(M * N);
    sk::AlignedVector<uint16_t> a(M * stride), packed(Bf16x3PackedValues(N, K));
    for (size_t m = 0; m < M; ++m) SplitRowBf16x3(row.data(), K, a.data() + m * stride);
    PackBf16x3Weights(weights.data(), N, K, packed.data());
    GemmOutput output;
    output.bias = bias.data();
    output.activation = shape[2] ? GemmActivation::kGeluErf : GemmActivation::kNone;
    output.out = out.data();
    output.out_stride = output.columns = N;
    const double ms = BestMilliseconds(20, [&] {
      for (size_t m = 0; m < M; m += 64) {
        Bf16x3Gemm(a.data(), stride, m, std::min(M, m + 64), packed.data(), Bf16x3Steps(K), 0, GemmGroups(N), output);
      }
    });
    std::printf("  K %4zu x N %4zu%s: %.3f ms, %.0f GFLOPS\n", K, N, shape[2] ? " + GELU" : "", ms, 2.0 * M * K * N / ms / 1e6);
  }
}

void GemmShapes() {
  using namespace sk::kernels;
  std::printf("\nInt8Gemm (%s), one thread, 1,024 rows, best of 20:\n", Int8GemmKernel());
  for (const auto& shape : kShapes) {
    const size_t M = 1024, K = shape[0], N = shape[1];
    const size_t stride = GemmRowStride(K);
    sk::AlignedVector<int8_t> a(M * stride, 3), packed(GemmPackedBytes(N, K), 1);
    std::vector<float> row_scales(M, 1e-3f), column_scales(N, 1e-2f), bias(N, 0.1f), out(M * N);
    std::vector<int32_t> sums(N, static_cast<int32_t>(K));
    GemmOutput output;
    output.row_scales = row_scales.data();
    output.column_scales = column_scales.data();
    output.bias = bias.data();
    output.activation = shape[2] ? GemmActivation::kGeluErf : GemmActivation::kNone;
    output.out = out.data();
    output.out_stride = output.columns = N;
    output.weight_sums = sums.data();
    const double ms = BestMilliseconds(20, [&] { Int8Gemm(a.data(), stride, 0, M, packed.data(), GemmSteps(K), 0, GemmGroups(N), output); });
    std::printf("  K %4zu x N %4zu%s: %.3f ms, %.0f GOPS\n", K, N, shape[2] ? " + GELU" : "", ms, 2.0 * M * K * N / ms / 1e6);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <model folder with config.json and model.safetensors> [int8|bf16x3]\n", argv[0]);
    return 2;
  }
  const bool bf16x3 = argc > 2 && std::string(argv[2]) == "bf16x3";
  const size_t threads = std::max(1u, std::thread::hardware_concurrency());
  std::unique_ptr<sk::cpu::CpuEncoder> engine;
  sk::cpu::CpuEncoder::LoadOptions options;
  options.threads = threads;
  options.precision = bf16x3 ? sk::cpu::EnginePrecision::kBf16x3 : sk::cpu::EnginePrecision::kInt8;
  const sk::Status loaded = sk::cpu::CpuEncoder::Load(argv[1], options, &engine);
  if (!loaded.ok()) {
    std::fprintf(stderr, "%s\n", loaded.message().c_str());
    return 1;
  }
  std::printf("%s, %s, %zu lanes; tokens/s of one packed batch (best of 10; 50 for short queries)\n", argv[1], bf16x3 ? "bf16x3" : "int8", threads);
  std::printf("| batch | one lane ms | tokens/s | split over %zu lanes ms | tokens/s |\n|---|---:|---:|---:|---:|\n", threads);
  const int batches[][2] = {{1, 12}, {32, 32}, {8, 128}, {4, 256}};
  for (const auto& shape : batches) {
    const int rows = shape[0], length = shape[1];
    std::mt19937 rng(1);
    std::vector<int32_t> ids, offsets{0};
    for (int r = 0; r < rows; ++r) {
      for (int t = 0; t < length; ++t) ids.push_back(1000 + static_cast<int32_t>(rng() % 20000));
      offsets.push_back(static_cast<int32_t>(ids.size()));
    }
    const sk::cpu::PackedSequences batch{ids.data(), nullptr, offsets.data(), static_cast<size_t>(rows)};
    double ms[2];
    for (int split = 0; split < 2; ++split) {
      const float* hidden = nullptr;
      for (int warm = 0; warm < 3; ++warm) (void)engine->Forward(batch, 0, split == 1, &hidden);
      ms[split] = BestMilliseconds(length < 20 ? 50 : 10, [&] { (void)engine->Forward(batch, 0, split == 1, &hidden); });
    }
    const double tokens = static_cast<double>(rows) * length;
    std::printf("| %d x %d | %.3f | %.0f | %.3f | %.0f |\n", rows, length, ms[0], tokens / ms[0] * 1e3, ms[1], tokens / ms[1] * 1e3);
  }
  if (bf16x3) {
    Bf16x3GemmShapes();
  } else {
    GemmShapes();
  }
  return 0;
}
