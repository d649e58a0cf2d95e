#include "cpu_engine/block_ops.h"

#include <cmath>

#include "kernels/kernels.h"

namespace sk::cpu {

std::vector<float> RotaryInverseFrequencies(size_t rotary_dim, double theta, double linear_factor) {
  // As torch: arange(0, dim, 2).float() / dim in float32, theta ** that in float32, 1 / it.
  std::vector<float> inverse(rotary_dim / 2);
  const float base = static_cast<float>(theta);
  for (size_t i = 0; i < inverse.size(); ++i) {
    const float exponent = static_cast<float>(2 * i) / static_cast<float>(rotary_dim);
    inverse[i] = 1.0f / std::pow(base, exponent);
    if (linear_factor != 1.0) inverse[i] /= static_cast<float>(linear_factor);
  }
  return inverse;
}

void RotaryTable::Fill(const std::vector<float>& inverse_frequencies, size_t positions) {
  if (source_ == &inverse_frequencies && filled_ >= positions) return;
  if (source_ != &inverse_frequencies) filled_ = 0;
  source_ = &inverse_frequencies;
  half_ = inverse_frequencies.size();
  cos_.resize(positions * half_);
  sin_.resize(positions * half_);
  for (size_t p = filled_; p < positions; ++p) {
    for (size_t i = 0; i < half_; ++i) {
      const float angle = static_cast<float>(p) * inverse_frequencies[i];
      cos_[p * half_ + i] = std::cos(angle);
      sin_[p * half_ + i] = std::sin(angle);
    }
  }
  filled_ = positions;
}

void ApplyRotary(float* x, size_t rotary_dim, const float* cos, const float* sin) {
  const size_t half = rotary_dim / 2;
  for (size_t i = 0; i < half; ++i) {
    const float first = x[i], second = x[i + half];
    x[i] = first * cos[i] - second * sin[i];
    x[i + half] = second * cos[i] + first * sin[i];
  }
}

void NormRow(const RowNorm& norm, const float* x, size_t cols, float* out) {
  double mean = 0.0;
  if (!norm.rms) {
    for (size_t c = 0; c < cols; ++c) mean += x[c];
    mean /= static_cast<double>(cols);
  }
  double squares = 0.0;
  for (size_t c = 0; c < cols; ++c) squares += (x[c] - mean) * (x[c] - mean);
  const float inverse = static_cast<float>(1.0 / std::sqrt(squares / static_cast<double>(cols) + norm.eps));
  const float center = static_cast<float>(mean);
  for (size_t c = 0; c < cols; ++c) {
    const float y = (x[c] - center) * inverse * (norm.weight_offset + norm.weight[c]);
    out[c] = norm.bias != nullptr ? y + norm.bias[c] : y;
  }
}

void GatedActivationRow(GateActivation activation, const float* activated, const float* linear, size_t cols, float* out) {
#if defined(__x86_64__) || defined(__i386__)
  // The SIMD forms are built for x86 only (aarch64 builds leave out *_avx2 / *_avx512).
  if (kernels::ActiveCpuLevel() == kernels::CpuLevel::kAvx512) return avx512::GatedActivationRow(activation, activated, linear, cols, out);
  if (kernels::ActiveCpuLevel() == kernels::CpuLevel::kAvx2) return avx2::GatedActivationRow(activation, activated, linear, cols, out);
#endif
  scalar::GatedActivationRow(activation, activated, linear, cols, out);
}

namespace scalar {

void GatedActivationRow(GateActivation activation, const float* activated, const float* linear, size_t cols, float* out) {
  for (size_t c = 0; c < cols; ++c) {
    const float x = activated[c];
    float y = x;
    switch (activation) {
      case GateActivation::kSilu: y = x / (1.0f + std::exp(-x)); break;
      case GateActivation::kGeluErf: y = 0.5f * x * (1.0f + std::erf(x * 0.70710678118654752f)); break;
      case GateActivation::kGeluTanh: y = 0.5f * x * (1.0f + std::tanh(0.7978845608028654f * (x + 0.044715f * x * x * x))); break;
    }
    out[c] = y * linear[c];
  }
}

}  // namespace scalar
}  // namespace sk::cpu
