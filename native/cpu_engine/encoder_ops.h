// The CPU engine's per-token operations between its GEMMs: symmetric row quantization (int8),
// the residual + LayerNorm (+ quantization for the next GEMM), and one attention head of one
// sequence. Each has a scalar form (the reference, and the path below AVX2), an AVX2 and an
// AVX-512 form, chosen by the active CPU level.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sk::cpu {

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
};

// softmax(Q Kᵀ · scale) V over `length` tokens (all attending: packed batches have no padding).
// `scratch` holds AttentionScratchFloats(length, head_dim) floats.
size_t AttentionScratchFloats(size_t length, size_t head_dim);
void AttentionHead(const HeadView& view, size_t length, size_t head_dim, float scale, float* scratch);
// The same to fp32 accuracy, the bf16x3 precision's: on AMX-BF16 in bf16x3 products, else in
// fp32 (AVX-512, AVX2 or scalar).
void AttentionHeadFp32(const HeadView& view, size_t length, size_t head_dim, float scale, float* scratch);

namespace scalar {
void QuantizeRow(const float* x, size_t cols, int8_t* q, float* scale);
void ResidualLayerNormRow(float* x, const float* residual, size_t cols, const float* gamma, const float* beta,
                          float eps, int8_t* q, float* scale);
void AttentionHead(const HeadView& view, size_t length, size_t head_dim, float scale, float* scratch);
}  // namespace scalar

// AMX-BF16 attention (attention_amx.cc), used when AmxBf16Enabled() and head_dim is a whole
// number of 32s: Q, K, V and the probabilities rounded to bf16, accumulation in fp32; with
// `split`, each of them two bf16 halves and each product three (bf16x3: fp32-accurate).
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
