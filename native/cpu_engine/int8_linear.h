// One linear layer of the int8 engine: weights quantized once per output channel (symmetric)
// and packed for kernels::Int8Gemm, applied to int8 activations with one scale per row.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "core/aligned_vector.h"
#include "core/thread_pool.h"
#include "kernels/int8_gemm.h"

namespace sk::cpu {

// Token rows quantized for the next GEMM: `stride` = kernels::GemmRowStride(cols) bytes per row,
// rows allocated up to a multiple of kernels::kGemmRowAlign (the tile loads read whole strips).
struct QuantizedRows {
  AlignedVector<int8_t> values;
  std::vector<float> scales;
  size_t stride = 0;
  void Reserve(size_t rows, size_t cols);
  int8_t* row(size_t r) { return values.data() + r * stride; }
};

class Int8Linear {
 public:
  // `weights` is [out, in] (PyTorch's nn.Linear layout), `bias` [out].
  void Quantize(const std::vector<float>& weights, const std::vector<float>& bias, size_t out, size_t in);
  // Where a block's rows go: the float row for `begin` (rows follow at the stride Apply gets).
  using BlockOut = std::function<float*(size_t slot, size_t begin)>;
  // Runs after a block's GEMM, on its rows [begin, end) at `rows`, while they are in cache.
  using BlockDone = std::function<void(size_t slot, size_t begin, size_t end, float* rows)>;
  // Rows per block: a multiple of the 32-row tile block. A block reads only its own rows of
  // `a`, so `done` may overwrite them (the next GEMM's input quantized in place).
  static constexpr size_t kBlockRows = 64;

  // activation(dequantized(a[r] · Wᵀ) + bias) for r < rows, block by block: inline on `slot`
  // when pool is null, else the blocks spread over the pool (each on its task's slot).
  void Apply(const QuantizedRows& a, size_t rows, kernels::GemmActivation activation, size_t out_stride,
             const BlockOut& out, const BlockDone& done, ThreadPool* pool, size_t slot) const;
  // A tile's buffer on `slot`: [kBlockRows, chunk columns], row stride `chunk`.
  using TileOut = std::function<float*(size_t slot)>;
  // Runs after each tile: rows [begin, end) x columns [column_begin, column_begin + columns).
  using TileDone = std::function<void(size_t slot, size_t begin, size_t end, size_t column_begin, size_t columns,
                                      const float* tile)>;
  // For outputs too wide to keep (a masked-LM decoder's vocabulary): column chunks of `chunk`
  // columns (a multiple of 16) are the tasks, each running every row block into its slot's
  // tile, so no two tasks ever touch the same output column.
  void ApplyColumns(const QuantizedRows& a, size_t rows, size_t chunk, const TileOut& tile, const TileDone& done,
                    ThreadPool* pool, size_t slot) const;

  size_t out_features() const { return out_; }
  size_t in_features() const { return in_; }

 private:
  // The epilogue's fields every call shares: a's row scales, this layer's column scales, bias
  // and weight sums; the caller adds where the rows go.
  kernels::GemmOutput Output(const QuantizedRows& a, kernels::GemmActivation activation) const;

  size_t out_ = 0, in_ = 0, steps_ = 0;
  AlignedVector<int8_t> packed_;
  std::vector<float> scales_, bias_;
  std::vector<int32_t> sums_;  // Σ_k of each output channel's int8 weights (the VNNI kernel's shift)
};

}  // namespace sk::cpu
