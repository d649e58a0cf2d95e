#include "cpu_engine/int8_linear.h"

#include <algorithm>
#include <cmath>

namespace sk::cpu {
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
  sums_.assign(out, 0);
  kernels::GemmWeightSums(quantized.data(), out, in, sums_.data());
  bias_ = bias;
}

kernels::GemmOutput Int8Linear::Output(const QuantizedRows& a, kernels::GemmActivation activation) const {
  kernels::GemmOutput output;
  output.row_scales = a.scales.data();
  output.column_scales = scales_.data();
  output.bias = bias_.empty() ? nullptr : bias_.data();
  output.activation = activation;
  output.columns = out_;
  output.weight_sums = sums_.data();
  return output;
}

void Int8Linear::Apply(const QuantizedRows& a, size_t rows, kernels::GemmActivation activation, size_t out_stride,
                       const BlockOut& out, const BlockDone& done, ThreadPool* pool, size_t slot) const {
  const size_t groups = kernels::GemmGroups(out_);
  auto block = [&](size_t index, size_t task_slot) {
    const size_t begin = index * kBlockRows, end = std::min(rows, begin + kBlockRows);
    kernels::GemmOutput output = Output(a, activation);
    output.out = out(task_slot, begin);
    output.out_stride = out_stride;
    output.out_row_begin = begin;
    kernels::Int8Gemm(a.values.data(), a.stride, begin, end, packed_.data(), steps_, 0, groups, output);
    if (done) done(task_slot, begin, end, output.out);
  };
  const size_t blocks = (rows + kBlockRows - 1) / kBlockRows;
  if (pool == nullptr) {
    for (size_t index = 0; index < blocks; ++index) block(index, slot);
  } else {
    pool->ParallelFor(blocks, block);
  }
}

void Int8Linear::ApplyColumns(const QuantizedRows& a, size_t rows, size_t chunk, const TileOut& tile,
                              const TileDone& done, ThreadPool* pool, size_t slot) const {
  const size_t groups_per_chunk = chunk / kernels::kGemmGroupColumns;
  const size_t chunks = (out_ + chunk - 1) / chunk;
  auto run = [&](size_t index, size_t task_slot) {
    const size_t column_begin = index * chunk, columns = std::min(chunk, out_ - column_begin);
    const size_t group_begin = index * groups_per_chunk;
    const size_t group_end = std::min(kernels::GemmGroups(out_), group_begin + groups_per_chunk);
    float* buffer = tile(task_slot);
    for (size_t begin = 0; begin < rows; begin += kBlockRows) {
      const size_t end = std::min(rows, begin + kBlockRows);
      kernels::GemmOutput output = Output(a, kernels::GemmActivation::kNone);
      output.out = buffer;
      output.out_stride = chunk;
      output.out_row_begin = begin;
      output.out_column_begin = column_begin;
      kernels::Int8Gemm(a.values.data(), a.stride, begin, end, packed_.data(), steps_, group_begin, group_end, output);
      done(task_slot, begin, end, column_begin, columns, buffer);
    }
  };
  if (pool == nullptr) {
    for (size_t index = 0; index < chunks; ++index) run(index, slot);
  } else {
    pool->ParallelFor(chunks, run);
  }
}

}  // namespace sk::cpu
