#include "cpu_engine/engine_linear.h"

#include <algorithm>
#include <cmath>

#include "cpu_engine/encoder_ops.h"
#include "kernels/bf16x3_gemm.h"

namespace sk::cpu {

void GemmRows::Reserve(EnginePrecision row_precision, size_t rows, size_t cols) {
  precision = row_precision;
  const bool int8 = precision == EnginePrecision::kInt8;
  stride = int8 ? kernels::GemmRowStride(cols) : kernels::Bf16x3RowStride(cols);
  const size_t row_bytes = int8 ? stride : stride * 2;
  const size_t padded = (rows + kernels::kGemmRowAlign - 1) / kernels::kGemmRowAlign * kernels::kGemmRowAlign;
  // Zero-filled when grown, so the bytes past `cols` stay zero (the int8 quantizers never
  // write them; the splitter writes zeros).
  if (values.size() < padded * row_bytes) values.resize(padded * row_bytes, 0);
  if (scales.size() < padded) scales.resize(padded, 0.0f);
}

void GemmRows::Set(size_t r, const float* x, size_t cols) {
  if (precision == EnginePrecision::kInt8) {
    QuantizeRow(x, cols, row(r), &scales[r]);
  } else {
    kernels::SplitRowBf16x3(x, cols, bf16_row(r));
  }
}

void EngineLinear::Load(const std::vector<float>& weights, const std::vector<float>& bias, size_t out, size_t in,
                        EnginePrecision precision) {
  precision_ = precision;
  out_ = out;
  in_ = in;
  bias_ = bias;
  if (precision == EnginePrecision::kBf16x3) {
    steps_ = kernels::Bf16x3Steps(in);
    packed_bf16_.assign(kernels::Bf16x3PackedValues(out, in), 0);
    kernels::PackBf16x3Weights(weights.data(), out, in, packed_bf16_.data());
    return;
  }
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
      const float value = std::clamp(std::nearbyint(row[k] * inverse), -127.0f, 127.0f);
      // NaN (a weight of NaN or infinity in the file) becomes 0: its integer cast is undefined.
      quantized[n * in + k] = std::isnan(value) ? 0 : static_cast<int8_t>(value);
    }
  }
  packed_.assign(kernels::GemmPackedBytes(out, in), 0);
  kernels::PackGemmWeights(quantized.data(), out, in, packed_.data());
  sums_.assign(out, 0);
  kernels::GemmWeightSums(quantized.data(), out, in, sums_.data());
}

kernels::GemmOutput EngineLinear::Output(const GemmRows& a, kernels::GemmActivation activation) const {
  kernels::GemmOutput output;
  output.row_scales = a.scales.data();
  output.column_scales = scales_.data();
  output.bias = bias_.empty() ? nullptr : bias_.data();
  output.activation = activation;
  output.columns = out_;
  output.weight_sums = sums_.data();
  return output;
}

void EngineLinear::Multiply(const GemmRows& a, size_t begin, size_t end, size_t group_begin, size_t group_end,
                            const kernels::GemmOutput& output) const {
  if (precision_ == EnginePrecision::kBf16x3) {
    kernels::Bf16x3Gemm(a.bf16_data(), a.stride, begin, end, packed_bf16_.data(), steps_, group_begin, group_end, output);
  } else {
    kernels::Int8Gemm(a.values.data(), a.stride, begin, end, packed_.data(), steps_, group_begin, group_end, output);
  }
}

void EngineLinear::Apply(const GemmRows& a, size_t rows, kernels::GemmActivation activation, size_t out_stride,
                         const BlockOut& out, const BlockDone& done, ThreadPool* pool, size_t slot) const {
  const size_t groups = kernels::GemmGroups(out_);
  auto block = [&](size_t index, size_t task_slot) {
    const size_t begin = index * kBlockRows, end = std::min(rows, begin + kBlockRows);
    kernels::GemmOutput output = Output(a, activation);
    output.out = out(task_slot, begin);
    output.out_stride = out_stride;
    output.out_row_begin = begin;
    Multiply(a, begin, end, 0, groups, output);
    if (done) done(task_slot, begin, end, output.out);
  };
  const size_t blocks = (rows + kBlockRows - 1) / kBlockRows;
  if (pool == nullptr) {
    for (size_t index = 0; index < blocks; ++index) block(index, slot);
  } else if (blocks == 1 && groups >= 2 * pool->size()) {
    // One block of rows (a short query): its column groups spread over the pool instead, into
    // the caller's buffer, and the finisher runs once every column is in.
    kernels::GemmOutput output = Output(a, activation);
    output.out = out(slot, 0);
    output.out_stride = out_stride;
    // Whole group pairs per task (the AMX kernels' 2 x 2 blocks), the last pair maybe single.
    const size_t tasks = pool->size(), pairs = (groups + 1) / 2, per_task = (pairs + tasks - 1) / tasks * 2;
    pool->ParallelFor(tasks, [&](size_t index, size_t) {
      const size_t begin = index * per_task;
      if (begin < groups) Multiply(a, 0, rows, begin, std::min(groups, begin + per_task), output);
    });
    if (done) done(slot, 0, rows, output.out);
  } else {
    pool->ParallelFor(blocks, block);
  }
}

void EngineLinear::ApplyColumns(const GemmRows& a, size_t rows, size_t chunk, const TileOut& tile,
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
      Multiply(a, begin, end, group_begin, group_end, output);
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
