#include "cpu_engine/clip_tower.h"

#include <algorithm>
#include <cmath>

#include "cpu_engine/block_ops.h"
#include "cpu_engine/encoder_ops.h"

namespace sk::cpu {

void QuickGeluRow(float* x, size_t cols) {
  for (size_t c = 0; c < cols; ++c) x[c] = x[c] / (1.0f + std::exp(-1.702f * x[c]));
}

Status ClipTower::Load(const model::SafetensorsFile& file, const std::string& prefix, const model::ClipTowerConfig& config,
                       EnginePrecision precision) {
  config_ = config;
  precision_ = precision;
  const int64_t H = config.hidden_size, I = config.intermediate_size;
  std::vector<float> weight, bias, part;
  auto read = [&](const std::string& name, const std::vector<int64_t>& shape, std::vector<float>* values) {
    return file.ReadFloat32(name, shape, values);
  };
  auto linear = [&](const std::string& name, int64_t out, int64_t in, EngineLinear* target) -> Status {
    SK_RETURN_IF_ERROR(read(name + ".weight", {out, in}, &weight));
    SK_RETURN_IF_ERROR(read(name + ".bias", {out}, &bias));
    target->Load(weight, bias, out, in, precision);
    return Status::Ok();
  };
  // Layers are added as the file proves them (config.json alone must not size an allocation).
  layers_.clear();
  for (int l = 0; l < config.num_layers; ++l) {
    const std::string base = prefix + "encoder.layers." + std::to_string(l) + ".";
    Layer& layer = layers_.emplace_back();
    // q, k and v in one GEMM: [3H, H] rows, so each token's row is q | k | v.
    std::vector<float> fused_weight, fused_bias;
    for (const char* which : {"q_proj", "k_proj", "v_proj"}) {
      SK_RETURN_IF_ERROR(read(base + "self_attn." + which + ".weight", {H, H}, &part));
      fused_weight.insert(fused_weight.end(), part.begin(), part.end());
      SK_RETURN_IF_ERROR(read(base + "self_attn." + which + ".bias", {H}, &part));
      fused_bias.insert(fused_bias.end(), part.begin(), part.end());
    }
    layer.qkv.Load(fused_weight, fused_bias, 3 * H, H, precision);
    SK_RETURN_IF_ERROR(linear(base + "self_attn.out_proj", H, H, &layer.out));
    SK_RETURN_IF_ERROR(linear(base + "mlp.fc1", I, H, &layer.fc1));
    SK_RETURN_IF_ERROR(linear(base + "mlp.fc2", H, I, &layer.fc2));
    SK_RETURN_IF_ERROR(read(base + "layer_norm1.weight", {H}, &layer.norm1_weight));
    SK_RETURN_IF_ERROR(read(base + "layer_norm1.bias", {H}, &layer.norm1_bias));
    SK_RETURN_IF_ERROR(read(base + "layer_norm2.weight", {H}, &layer.norm2_weight));
    SK_RETURN_IF_ERROR(read(base + "layer_norm2.bias", {H}, &layer.norm2_bias));
  }
  return Status::Ok();
}

void ClipTower::Reserve(Workspace& work, size_t tokens, size_t longest) const {
  const size_t H = config_.hidden_size, I = config_.intermediate_size;
  if (work.qkv.size() < tokens * 3 * H) {
    work.qkv.resize(tokens * 3 * H);
    work.context.resize(tokens * H);
    work.projected.resize(tokens * H);
  }
  work.normed.resize(H);
  work.rows_in.Reserve(precision_, tokens, H);
  work.intermediate_q.Reserve(precision_, tokens, I);
  const size_t scratch = AttentionScratchFloats(longest, config_.head_dim());
  if (work.attention_scratch.size() < scratch) work.attention_scratch.resize(scratch);
  if (work.intermediate.size() < tokens * I) work.intermediate.resize(tokens * I);
}

void ClipTower::NormalizeInto(Workspace& work, const float* hidden, size_t tokens, const std::vector<float>& weight,
                              const std::vector<float>& bias) const {
  const size_t H = config_.hidden_size;
  RowNorm norm;
  norm.weight = weight.data();
  norm.bias = bias.data();
  norm.eps = config_.layer_norm_eps;
  norm.rms = false;
  for (size_t t = 0; t < tokens; ++t) {
    NormRow(norm, hidden + t * H, H, work.normed.data());
    work.rows_in.Set(t, work.normed.data(), H);
  }
}

void ClipTower::Attend(Workspace& work, const int32_t* offsets, size_t num_seqs, bool causal) const {
  const size_t H = config_.hidden_size, heads = config_.num_heads, d = config_.head_dim();
  const float scale = 1.0f / std::sqrt(static_cast<float>(d));
  for (size_t s = 0; s < num_seqs; ++s) {
    const size_t start = offsets[s], length = offsets[s + 1] - offsets[s];
    for (size_t h = 0; h < heads; ++h) {
      HeadView view;
      view.q = work.qkv.data() + start * 3 * H + h * d;
      view.k = view.q + H;
      view.v = view.q + 2 * H;
      view.stride = 3 * H;
      view.out = work.context.data() + start * H + h * d;
      view.out_stride = H;
      if (causal) view.window_after = 0;
      if (precision_ == EnginePrecision::kBf16x3) {
        AttentionHeadFp32(view, length, d, scale, work.attention_scratch.data());
      } else {
        AttentionHead(view, length, d, scale, work.attention_scratch.data());
      }
    }
  }
}

void ClipTower::Run(Workspace& work, float* hidden, const int32_t* offsets, size_t num_seqs, bool causal, ThreadPool* pool,
                    size_t slot) const {
  const size_t tokens = static_cast<size_t>(offsets[num_seqs]);
  size_t longest = 0;
  for (size_t s = 0; s < num_seqs; ++s) longest = std::max<size_t>(longest, offsets[s + 1] - offsets[s]);
  Reserve(work, tokens, longest);
  const size_t H = config_.hidden_size, I = config_.intermediate_size;
  const kernels::GemmActivation none = kernels::GemmActivation::kNone;
  const kernels::GemmActivation activation =
      config_.quick_gelu ? none : kernels::ToGemmActivation(config_.activation);
  const EngineLinear::BlockOut projected = [&work, H](size_t, size_t begin) { return work.projected.data() + begin * H; };
  // The residual: a block's rows are added to the stream while in cache.
  const EngineLinear::BlockDone add_to_stream = [hidden, H](size_t, size_t begin, size_t end, float* rows) {
    for (size_t t = begin; t < end; ++t) {
      float* target = hidden + t * H;
      const float* row = rows + (t - begin) * H;
      for (size_t c = 0; c < H; ++c) target[c] += row[c];
    }
  };
  // Rows of their own per block, so blocks spread over a pool never share one.
  const EngineLinear::BlockOut feed_forward = [&work, I](size_t, size_t begin) { return work.intermediate.data() + begin * I; };
  const EngineLinear::BlockDone activate = [this, &work, I](size_t, size_t begin, size_t end, float* rows) {
    for (size_t t = begin; t < end; ++t) {
      float* row = rows + (t - begin) * I;
      if (config_.quick_gelu) QuickGeluRow(row, I);
      work.intermediate_q.Set(t, row, I);
    }
  };
  for (const Layer& layer : layers_) {
    NormalizeInto(work, hidden, tokens, layer.norm1_weight, layer.norm1_bias);
    layer.qkv.Apply(work.rows_in, tokens, none, 3 * H, [&work, H](size_t, size_t begin) { return work.qkv.data() + begin * 3 * H; },
                    nullptr, pool, slot);
    Attend(work, offsets, num_seqs, causal);
    for (size_t t = 0; t < tokens; ++t) work.rows_in.Set(t, work.context.data() + t * H, H);
    layer.out.Apply(work.rows_in, tokens, none, H, projected, add_to_stream, pool, slot);
    NormalizeInto(work, hidden, tokens, layer.norm2_weight, layer.norm2_bias);
    layer.fc1.Apply(work.rows_in, tokens, activation, I, feed_forward, activate, pool, slot);
    layer.fc2.Apply(work.intermediate_q, tokens, none, H, projected, add_to_stream, pool, slot);
  }
}

}  // namespace sk::cpu
