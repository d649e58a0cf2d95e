// One linear layer of the CPU engine, at one of its two precisions:
// - int8: weights quantized once per output channel (symmetric), applied to int8 activations
//   with one scale per row (kernels::Int8Gemm);
// - bf16x3: weights and activations each split into two bf16 halves, three bf16 products with
//   fp32 accumulation (kernels::Bf16x3Gemm): each product within about 2^-16 of |a·w|,
//   about 1e-6 of a layer's output on average (PyTorch's 'high' float32 matmul precision).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "core/aligned_vector.h"
#include "core/thread_pool.h"
#include "kernels/int8_gemm.h"

namespace sk::cpu {

enum class EnginePrecision { kInt8, kBf16x3 };

// Token rows as the next GEMM reads them, rows allocated up to a multiple of
// kernels::kGemmRowAlign (the tile loads read whole strips): int8, kernels::GemmRowStride(cols)
// bytes and one scale per row; or bf16x3, kernels::Bf16x3RowStride(cols) bf16 values per row.
struct GemmRows {
  EnginePrecision precision = EnginePrecision::kInt8;
  AlignedVector<int8_t> values;  // the rows' bytes (bf16 rows are read through bf16_row)
  std::vector<float> scales;     // int8: each row's scale
  size_t stride = 0;             // int8: bytes per row; bf16x3: bf16 values per row
  void Reserve(EnginePrecision row_precision, size_t rows, size_t cols);
  int8_t* row(size_t r) { return values.data() + r * stride; }
  uint16_t* bf16_row(size_t r) { return reinterpret_cast<uint16_t*>(values.data()) + r * stride; }
  const uint16_t* bf16_data() const { return reinterpret_cast<const uint16_t*>(values.data()); }
  // Row r from the float row x[cols]: quantized (int8) or split (bf16x3).
  void Set(size_t r, const float* x, size_t cols);
};

class EngineLinear {
 public:
  // `weights` is [out, in] (PyTorch's nn.Linear layout), `bias` [out].
  void Load(const std::vector<float>& weights, const std::vector<float>& bias, size_t out, size_t in,
            EnginePrecision precision);
  // Where a block's rows go: the float row for `begin` (rows follow at the stride Apply gets).
  using BlockOut = std::function<float*(size_t slot, size_t begin)>;
  // Runs after a block's GEMM, on its rows [begin, end) at `rows`, while they are in cache.
  using BlockDone = std::function<void(size_t slot, size_t begin, size_t end, float* rows)>;
  // Rows per block: a multiple of the 32-row tile block. A block reads only its own rows of
  // `a`, so `done` may overwrite them (the next GEMM's input prepared in place).
  static constexpr size_t kBlockRows = 64;

  // activation(a[r] · Wᵀ + bias) for r < rows, block by block: inline on `slot` when pool is
  // null, else the blocks spread over the pool (each on its task's slot); a single block is
  // split by columns over the pool instead, into `slot`'s buffer, finished on `slot`. `a` has
  // this layer's precision.
  void Apply(const GemmRows& a, size_t rows, kernels::GemmActivation activation, size_t out_stride,
             const BlockOut& out, const BlockDone& done, ThreadPool* pool, size_t slot) const;
  // A tile's buffer on `slot`: [kBlockRows, chunk columns], row stride `chunk`.
  using TileOut = std::function<float*(size_t slot)>;
  // Runs after each tile: rows [begin, end) x columns [column_begin, column_begin + columns).
  using TileDone = std::function<void(size_t slot, size_t begin, size_t end, size_t column_begin, size_t columns,
                                      const float* tile)>;
  // For outputs too wide to keep (a masked-LM decoder's vocabulary): column chunks of `chunk`
  // columns (a multiple of 16) are the tasks, each running every row block into its slot's
  // tile, so no two tasks ever touch the same output column.
  void ApplyColumns(const GemmRows& a, size_t rows, size_t chunk, const TileOut& tile, const TileDone& done,
                    ThreadPool* pool, size_t slot) const;

  size_t out_features() const { return out_; }
  size_t in_features() const { return in_; }

 private:
  // The epilogue's fields every call shares: a's row scales, this layer's column scales, bias
  // and weight sums; the caller adds where the rows go.
  kernels::GemmOutput Output(const GemmRows& a, kernels::GemmActivation activation) const;
  // Rows [begin, end) and groups [group_begin, group_end) on this layer's kernel.
  void Multiply(const GemmRows& a, size_t begin, size_t end, size_t group_begin, size_t group_end,
                const kernels::GemmOutput& output) const;

  EnginePrecision precision_ = EnginePrecision::kInt8;
  size_t out_ = 0, in_ = 0, steps_ = 0;
  AlignedVector<int8_t> packed_;       // int8 weights, as kernels::PackGemmWeights lays them out
  AlignedVector<uint16_t> packed_bf16_;  // bf16x3 weights, as kernels::PackBf16x3Weights does
  std::vector<float> scales_, bias_;
  std::vector<int32_t> sums_;  // Σ_k of each output channel's int8 weights (the VNNI kernel's shift)
};

}  // namespace sk::cpu
