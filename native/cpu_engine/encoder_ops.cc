#include "cpu_engine/encoder_ops.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "kernels/cpu/int8_amx.h"
#include "kernels/kernels.h"

namespace sk::cpu {
namespace {

#if defined(__x86_64__) || defined(__i386__)
bool UseAvx512() { return kernels::ActiveCpuLevel() == kernels::CpuLevel::kAvx512; }
bool UseAvx2() { return kernels::ActiveCpuLevel() == kernels::CpuLevel::kAvx2; }
#endif

}  // namespace

// Here, not in attention_amx.cc: it runs on every CPU, and that file is built for AMX ones.
// Its sum matches attention_amx.cc's Carve() with split (three parts): Q, K rows and packed Kᵀ
// of rows16 x 3 head_dim bf16, packed V of 3 keys32 x head_dim, one strip of P (bf16), scores
// and outputs (fp32).
size_t amx::AttentionScratchFloats(size_t length, size_t head_dim) {
  auto round_up = [](size_t value, size_t step) { return (value + step - 1) / step * step; };
  const size_t rows16 = round_up(length, 16), keys32 = round_up(length, 32), parts = 3;
  const size_t bytes = round_up(rows16 * parts * head_dim * 2, 64) * 3 + round_up(parts * keys32 * head_dim * 2, 64) +
                       round_up(16 * parts * keys32 * 2, 64) + round_up(16 * keys32 * 4, 64) + round_up(16 * head_dim * 4, 64);
  return bytes / sizeof(float) + 16;
}

bool amx::Usable(size_t head_dim) { return head_dim % 32 == 0 && head_dim <= 128 && kernels::AmxBf16Enabled(); }

size_t AttentionScratchFloats(size_t length, size_t head_dim) {
  const size_t padded = (length + 15) / 16 * 16;
  const size_t avx = head_dim * padded + 4 * padded + 64;  // keys transposed, then four score rows
  return head_dim % 32 == 0 ? std::max(avx, amx::AttentionScratchFloats(length, head_dim)) : avx;
}

// The SIMD and AMX forms are built for x86 only (aarch64 builds leave out *_avx2 / *_avx512 / *_amx).
void QuantizeRow(const float* x, size_t cols, int8_t* q, float* scale) {
#if defined(__x86_64__) || defined(__i386__)
  if (UseAvx512()) return avx512::QuantizeRow(x, cols, q, scale);
  if (UseAvx2()) return avx2::QuantizeRow(x, cols, q, scale);
#endif
  scalar::QuantizeRow(x, cols, q, scale);
}

void ResidualLayerNormRow(float* x, const float* residual, size_t cols, const float* gamma, const float* beta,
                          float eps, int8_t* q, float* scale) {
#if defined(__x86_64__) || defined(__i386__)
  if (UseAvx512()) return avx512::ResidualLayerNormRow(x, residual, cols, gamma, beta, eps, q, scale);
  if (UseAvx2()) return avx2::ResidualLayerNormRow(x, residual, cols, gamma, beta, eps, q, scale);
#endif
  scalar::ResidualLayerNormRow(x, residual, cols, gamma, beta, eps, q, scale);
}

void AttentionHead(const HeadView& view, size_t length, size_t head_dim, float scale, float* scratch) {
#if defined(__x86_64__) || defined(__i386__)
  if (!view.windowed() && amx::Usable(head_dim)) return amx::AttentionHead(view, length, head_dim, scale, false, scratch);
  if (UseAvx512()) return avx512::AttentionHead(view, length, head_dim, scale, scratch);
  if (UseAvx2()) return avx2::AttentionHead(view, length, head_dim, scale, scratch);
#endif
  scalar::AttentionHead(view, length, head_dim, scale, scratch);
}

void AttentionHeadFp32(const HeadView& view, size_t length, size_t head_dim, float scale, float* scratch) {
#if defined(__x86_64__) || defined(__i386__)
  if (!view.windowed() && amx::Usable(head_dim)) return amx::AttentionHead(view, length, head_dim, scale, true, scratch);
  if (UseAvx512()) return avx512::AttentionHead(view, length, head_dim, scale, scratch);
  if (UseAvx2()) return avx2::AttentionHead(view, length, head_dim, scale, scratch);
#endif
  scalar::AttentionHead(view, length, head_dim, scale, scratch);
}

void TransposeKeys(const HeadView& view, size_t length, size_t head_dim, size_t padded, float* keys) {
  for (size_t j = 0; j < length; ++j) {
    const float* k = view.k + j * view.stride;
    for (size_t d = 0; d < head_dim; ++d) keys[d * padded + j] = k[d];
  }
  for (size_t j = length; j < padded; ++j) {
    for (size_t d = 0; d < head_dim; ++d) keys[d * padded + j] = 0.0f;
  }
}

QueryQuad FourQueries(const HeadView& view, size_t i0, size_t length) {
  QueryQuad quad;
  quad.live = std::min<size_t>(4, length - i0);
  for (size_t r = 0; r < 4; ++r) {
    const size_t i = i0 + std::min(r, quad.live - 1);
    quad.q[r] = view.q + i * view.stride;
    quad.first[r] = view.first_key(i);
    quad.end[r] = view.end_key(i, length);
  }
  quad.key_begin = quad.first[0] / 16 * 16;
  quad.key_end = (quad.end[3] + 15) / 16 * 16;
  return quad;
}

namespace scalar {

void QuantizeRow(const float* x, size_t cols, int8_t* q, float* scale) {
  float peak = 0.0f;
  for (size_t c = 0; c < cols; ++c) peak = std::max(peak, std::fabs(x[c]));
  *scale = peak / 127.0f;
  const float inverse = peak > 0.0f ? 127.0f / peak : 0.0f;
  for (size_t c = 0; c < cols; ++c) {
    const float value = std::clamp(std::nearbyint(x[c] * inverse), -127.0f, 127.0f);
    // NaN (activations of a corrupt or overflowing model) becomes 0: its integer cast is undefined.
    q[c] = std::isnan(value) ? 0 : static_cast<int8_t>(value);
  }
}

void ResidualLayerNormRow(float* x, const float* residual, size_t cols, const float* gamma, const float* beta,
                          float eps, int8_t* q, float* scale) {
  double sum = 0.0;
  for (size_t c = 0; c < cols; ++c) {
    x[c] += residual[c];
    sum += x[c];
  }
  const double mean = sum / static_cast<double>(cols);
  double squares = 0.0;
  for (size_t c = 0; c < cols; ++c) squares += (x[c] - mean) * (x[c] - mean);
  const double inverse = 1.0 / std::sqrt(squares / static_cast<double>(cols) + eps);
  for (size_t c = 0; c < cols; ++c) x[c] = static_cast<float>((x[c] - mean) * inverse) * gamma[c] + beta[c];
  if (q != nullptr) QuantizeRow(x, cols, q, scale);
}

void AttentionHead(const HeadView& view, size_t length, size_t head_dim, float scale, float* scratch) {
  float* scores = scratch;
  for (size_t i = 0; i < length; ++i) {
    const float* q = view.q + i * view.stride;
    const size_t first = view.first_key(i), end = view.end_key(i, length);
    float peak = -INFINITY;
    for (size_t j = first; j < end; ++j) {
      const float* k = view.k + j * view.stride;
      double dot = 0.0;
      for (size_t d = 0; d < head_dim; ++d) dot += static_cast<double>(q[d]) * k[d];
      scores[j] = static_cast<float>(dot) * scale;
      if (view.position_bias != nullptr) scores[j] += view.position_bias[static_cast<ptrdiff_t>(j) - static_cast<ptrdiff_t>(i)];
      peak = std::max(peak, scores[j]);
    }
    double total = 0.0;
    for (size_t j = first; j < end; ++j) {
      scores[j] = std::exp(scores[j] - peak);
      total += scores[j];
    }
    float* out = view.out + i * view.out_stride;
    for (size_t d = 0; d < head_dim; ++d) {
      double acc = 0.0;
      for (size_t j = first; j < end; ++j) acc += static_cast<double>(scores[j]) * view.v[j * view.stride + d];
      out[d] = static_cast<float>(acc / total);
    }
  }
}

}  // namespace scalar
}  // namespace sk::cpu
