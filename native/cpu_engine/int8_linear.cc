#include "cpu_engine/int8_linear.h"

#include <algorithm>
#include <cmath>

namespace sk::cpu {
namespace {

// Rows per GEMM task: a multiple of the 32-row tile block, small enough to spread a
// 1,024-token batch over every core, large enough that a task's packed weights are reused.
constexpr size_t kRowsPerTask = 128;

}  // namespace

void QuantizedRows::Reserve(size_t rows, size_t cols) {
  stride = kernels::GemmRowStride(cols);
  const size_t padded = (rows + kernels::kGemmRowAlign - 1) / kernels::kGemmRowAlign * kernels::kGemmRowAlign;
  // Zero-filled when grown, so the bytes past `cols` stay zero (the quantizers never write them).
  if (values.size() < padded * stride) values.resize(padded * stride, 0);
  if (scales.size() < padded) scales.resize(padded, 0.0f);
}

void Int8Linear::Quantize(const std::vector<float>& weights, const std::vector<float>& bias, size_t out, size_t in) {
  out_ = out;
  in_ = in;
  steps_ = kernels::GemmSteps(in);
  scales_.assign(out, 0.0f);
  std::vector<int8_t> quantized(out * in);
  for (size_t n = 0; n < out; ++n) {
    const float* row = weights.data() + n * in;
    float peak = 0.0f;
    for (size_t k = 0; k < in; ++k) peak = std::max(peak, std::fabs(row[k]));
    scales_[n] = peak / 127.0f;
    const float inverse = peak > 0.0f ? 127.0f / peak : 0.0f;
    for (size_t k = 0; k < in; ++k) {
      quantized[n * in + k] = static_cast<int8_t>(std::clamp(std::nearbyint(row[k] * inverse), -127.0f, 127.0f));
    }
  }
  packed_.assign(kernels::GemmPackedBytes(out, in), 0);
  kernels::PackGemmWeights(quantized.data(), out, in, packed_.data());
  bias_ = bias;
}

void Int8Linear::Apply(const QuantizedRows& a, size_t rows, kernels::GemmActivation activation, float* out,
                       size_t out_stride, ThreadPool& pool, bool parallel) const {
  kernels::GemmOutput output;
  output.row_scales = a.scales.data();
  output.column_scales = scales_.data();
  output.bias = bias_.empty() ? nullptr : bias_.data();
  output.activation = activation;
  output.out = out;
  output.out_stride = out_stride;
  output.columns = out_;
  const size_t groups = kernels::GemmGroups(out_);
  if (!parallel) {
    kernels::Int8Gemm(a.values.data(), a.stride, 0, rows, packed_.data(), steps_, 0, groups, output);
    return;
  }
  const size_t pairs = (groups + 1) / 2;
  const size_t chunks = (rows + kRowsPerTask - 1) / kRowsPerTask;
  pool.ParallelFor(pairs * chunks, [&](size_t index, size_t) {
    const size_t pair = index % pairs, chunk = index / pairs;
    const size_t row_begin = chunk * kRowsPerTask, row_end = std::min(rows, row_begin + kRowsPerTask);
    kernels::Int8Gemm(a.values.data(), a.stride, row_begin, row_end, packed_.data(), steps_, 2 * pair,
                      std::min(groups, 2 * pair + 2), output);
  });
}

}  // namespace sk::cpu
