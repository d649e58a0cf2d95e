// The CPU engine's per-token operations between its GEMMs: symmetric row quantization (int8),
// the residual + LayerNorm (+ quantization for the next GEMM), and one attention head of one
// sequence. Each has a scalar form (the reference, and the path below AVX2), an AVX2 and an
// AVX-512 form, chosen by the active CPU level.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sk::cpu {

// A HeadView window side that reaches every key.
constexpr size_t kAllKeys = SIZE_MAX;

// q[c] = round(x[c] / scale) with scale = max|x| / 127 (0 for an all-zero row), c < cols.
void QuantizeRow(const float* x, size_t cols, int8_t* q, float* scale);

// x = LayerNorm(x + residual) · gamma + beta, in place over one row, then quantized into q
// (when q is not null) as QuantizeRow does.
void ResidualLayerNormRow(float* x, const float* residual, size_t cols, const float* gamma, const float* beta,
                          float eps, int8_t* q, float* scale);

struct HeadView {
  const float* q = nullptr;   // row t at q + t * stride, head_dim values
  const float* k = nullptr;
  const float* v = nullptr;
  size_t stride = 0;
  float* out = nullptr;       // row t at out + t * out_stride
  size_t out_stride = 0;
  // MPNet's relative position bias: query i, key j add position_bias[j - i] to their score,
  // readable from -(length + 15) to length + 15 (null: none).
  const float* position_bias = nullptr;
  // Which keys query i attends: j in [i - window_before, i + window_after], within the sequence.
  // kAllKeys both ways (the default) is every key; window_after = 0 is causal (Qwen3, CLIP's
  // text tower); ModernBERT's local layers are ±local_attention / 2; Gemma 3's sliding layers
  // (sliding_window - 1, 0). The key j = i is always inside.
  size_t window_before = kAllKeys;
  size_t window_after = kAllKeys;

  bool windowed() const { return window_before != kAllKeys || window_after != kAllKeys; }
  size_t first_key(size_t i) const { return window_before >= i ? 0 : i - window_before; }
  size_t end_key(size_t i, size_t length) const { return window_after >= length - i ? length : i + window_after + 1; }
};

// softmax(Q Kᵀ · scale) V over `length` tokens (packed batches have no padding), each query over
// the keys of its window.
// `scratch` holds AttentionScratchFloats(length, head_dim) floats.
size_t AttentionScratchFloats(size_t length, size_t head_dim);
void AttentionHead(const HeadView& view, size_t length, size_t head_dim, float scale, float* scratch);
// The same to fp32 accuracy, the bf16x3 precision's: on AMX-BF16 in bf16x3 products, else in
// fp32 (AVX-512, AVX2 or scalar).
void AttentionHeadFp32(const HeadView& view, size_t length, size_t head_dim, float scale, float* scratch);

// The SIMD forms' first step: keys[d * padded + j] = k_j[d] for j < length, zeros up to `padded`.
void TransposeKeys(const HeadView& view, size_t length, size_t head_dim, size_t padded, float* keys);

// The four query rows from i0 the SIMD forms score together: rows past the sequence repeat its
// last row (computed, never stored), each row's keys [first, end), and the 16-key blocks
// [key_begin, key_end) holding any of them (a window or causal mask skips the rest).
struct QueryQuad {
  const float* q[4];
  size_t first[4], end[4];
  size_t live, key_begin, key_end;
};
QueryQuad FourQueries(const HeadView& view, size_t i0, size_t length);

namespace scalar {
void QuantizeRow(const float* x, size_t cols, int8_t* q, float* scale);
void ResidualLayerNormRow(float* x, const float* residual, size_t cols, const float* gamma, const float* beta,
                          float eps, int8_t* q, float* scale);
void AttentionHead(const HeadView& view, size_t length, size_t head_dim, float scale, float* scratch);
}  // namespace scalar

// AMX-BF16 attention (attention_amx.cc), used when AmxBf16Enabled(), head_dim is a whole
// number of 32s and the head has no window (its kernel knows no masks): Q, K, V and the
// probabilities rounded to bf16, accumulation in fp32; with `split`, each of them two bf16
// halves and each product three (bf16x3: fp32-accurate).
namespace amx {
bool Usable(size_t head_dim);
// Enough for either form.
size_t AttentionScratchFloats(size_t length, size_t head_dim);
void AttentionHead(const HeadView& view, size_t length, size_t head_dim, float scale, bool split, float* scratch);
}  // namespace amx

namespace avx2 {
void QuantizeRow(const float* x, size_t cols, int8_t* q, float* scale);
void ResidualLayerNormRow(float* x, const float* residual, size_t cols, const float* gamma, const float* beta,
                          float eps, int8_t* q, float* scale);
void AttentionHead(const HeadView& view, size_t length, size_t head_dim, float scale, float* scratch);
}  // namespace avx2

namespace avx512 {
void QuantizeRow(const float* x, size_t cols, int8_t* q, float* scale);
void ResidualLayerNormRow(float* x, const float* residual, size_t cols, const float* gamma, const float* beta,
                          float eps, int8_t* q, float* scale);
void AttentionHead(const HeadView& view, size_t length, size_t head_dim, float scale, float* scratch);
}  // namespace avx512

}  // namespace sk::cpu
