// One linear layer of the int8 engine: weights quantized once per output channel (symmetric)
// and packed for kernels::Int8Gemm, applied to int8 activations with one scale per row.
#pragma once

#include <cstddef>
#include <cstdint>
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
  // out[r] = activation(dequantized(a[r] · Wᵀ) + bias) for r < rows, spread over `pool` unless
  // `parallel` is false (small batches: waking the workers costs more than they save).
  void Apply(const QuantizedRows& a, size_t rows, kernels::GemmActivation activation, float* out, size_t out_stride,
             ThreadPool& pool, bool parallel) const;
  size_t out_features() const { return out_; }
  size_t in_features() const { return in_; }

 private:
  size_t out_ = 0, in_ = 0, steps_ = 0;
  AlignedVector<int8_t> packed_;
  std::vector<float> scales_, bias_;
};

}  // namespace sk::cpu
