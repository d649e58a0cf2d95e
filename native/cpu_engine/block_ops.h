// The per-token operations of the pre-norm transformer blocks (Qwen3, Gemma 3, ModernBERT, CLIP)
// between their GEMMs: rotary position embeddings, RMSNorm / LayerNorm into a separate row (the
// residual stream stays as it is), and the gated MLP's activation. Attention, with its causal,
// sliding-window and grouped-query forms, is encoder_ops.h's AttentionHead (HeadView's window).
// The gated activation has AVX2 and AVX-512 forms (its exp / erf / tanh per value are the hot
// part); the rest are O(hidden) per token beside O(hidden²) GEMMs and stay scalar.
#pragma once

#include <cstddef>
#include <vector>

namespace sk::cpu {

// Rotary position embeddings as transformers' default rope computes them, in float32:
// inv_freq[i] = 1 / theta^(2i / rotary_dim) (÷ linear_factor for "linear" rope scaling), the
// angle of position p is p · inv_freq[i], and a head's vector rotates in the rotate_half layout
// (element i pairs with i + rotary_dim / 2; cos and sin repeat over the two halves).
std::vector<float> RotaryInverseFrequencies(size_t rotary_dim, double theta, double linear_factor = 1.0);

// cos and sin of positions [0, positions), rotary_dim / 2 values per position.
class RotaryTable {
 public:
  void Fill(const std::vector<float>& inverse_frequencies, size_t positions);
  const float* cos(size_t position) const { return cos_.data() + position * half_; }
  const float* sin(size_t position) const { return sin_.data() + position * half_; }

 private:
  size_t half_ = 0, filled_ = 0;
  const std::vector<float>* source_ = nullptr;
  std::vector<float> cos_, sin_;
};

// x[:rotary_dim] = x·cos + rotate_half(x)·sin, in place; cos and sin hold rotary_dim / 2 values.
void ApplyRotary(float* x, size_t rotary_dim, const float* cos, const float* sin);

// One row's normalization. rms: x · rsqrt(mean(x²) + eps) · (weight_offset + weight) (Qwen3:
// offset 0; Gemma's (1 + weight): offset 1); else LayerNorm: (x - mean) · rsqrt(var + eps) ·
// weight (+ bias when not null).
struct RowNorm {
  const float* weight = nullptr;
  const float* bias = nullptr;
  float weight_offset = 0.0f;
  float eps = 1e-6f;
  bool rms = true;
};
// out may be x.
void NormRow(const RowNorm& norm, const float* x, size_t cols, float* out);

// The gated MLP's activation (transformers' ACT2FN names): silu (SwiGLU: Qwen3), gelu (erf:
// ModernBERT's GeGLU), gelu_pytorch_tanh (Gemma 3).
enum class GateActivation { kSilu, kGeluErf, kGeluTanh };
// out[c] = act(activated[c]) · linear[c] for c < cols; out may be either input.
void GatedActivationRow(GateActivation activation, const float* activated, const float* linear, size_t cols, float* out);

namespace scalar {
void GatedActivationRow(GateActivation activation, const float* activated, const float* linear, size_t cols, float* out);
}
namespace avx2 {
void GatedActivationRow(GateActivation activation, const float* activated, const float* linear, size_t cols, float* out);
}
namespace avx512 {
void GatedActivationRow(GateActivation activation, const float* activated, const float* linear, size_t cols, float* out);
}

}  // namespace sk::cpu
