#include "cpu_engine/decoder_encoder.h"

#include <algorithm>
#include <cmath>

#include "cpu_engine/encoder_ops.h"
#include "model/safetensors_file.h"

namespace sk::cpu {
namespace {

constexpr size_t kRowsPerTask = 32;
// As CpuEncoder: idle lanes poll this long between a batch's sections before sleeping.
constexpr unsigned kSpinMicroseconds = 200;

}  // namespace

Status LoadDecoderEngine(const std::string& model_dir, const EngineLoadOptions& options, std::unique_ptr<EngineEncoder>* out,
                         bool* handled) {
  *handled = false;
  std::string model_type;
  if (!ReadModelType(model_dir + "/config.json", &model_type).ok() || !IsDecoderModelType(model_type)) return Status::Ok();
  *handled = true;
  std::unique_ptr<DecoderEncoder> engine;
  SK_RETURN_IF_ERROR(DecoderEncoder::Load(model_dir, options, &engine));
  *out = std::move(engine);
  return Status::Ok();
}

Status DecoderEncoder::Load(const std::string& model_dir, const EngineLoadOptions& options, std::unique_ptr<DecoderEncoder>* out) {
  std::unique_ptr<DecoderEncoder> engine(new DecoderEncoder());
  DecoderConfig& config = engine->config_;
  SK_RETURN_IF_ERROR(ReadDecoderConfig(model_dir + "/config.json", &config));
  if (options.masked_lm_head) return ModelLoadError(model_dir + ": a " + config.model_type + " model has no masked-LM head for SPLADE");
  engine->precision_ = options.precision;
  model::EncoderConfig& shape = engine->shape_;
  shape.model_type = config.model_type;
  shape.vocab_size = config.vocab_size;
  shape.hidden_size = config.hidden_size;
  shape.num_layers = config.num_layers;
  shape.num_heads = config.num_heads;
  shape.intermediate_size = config.intermediate_size;
  shape.max_position_embeddings = config.max_position_embeddings;
  shape.type_vocab_size = 0;
  shape.position_offset = 0;
  SK_RETURN_IF_ERROR(engine->LoadWeights(options.Weights(model_dir)));
  const size_t head_dim = static_cast<size_t>(config.head_dim);
  engine->global_frequencies_ = RotaryInverseFrequencies(head_dim, config.rope_theta, config.rope_factor);
  engine->local_frequencies_ = RotaryInverseFrequencies(head_dim, config.local_rope_theta);
  engine->pool_ = std::make_unique<ThreadPool>(options.threads, options.spin ? kSpinMicroseconds : 0);
  const size_t slots = engine->pool_->size();
  engine->workspaces_.resize(slots);
  engine->attention_scratch_.resize(slots);
  engine->feed_forward_blocks_.assign(slots, std::vector<float>(EngineLinear::kBlockRows * 2 * config.intermediate_size));
  engine->norm_rows_.assign(slots, std::vector<float>(config.hidden_size));
  *out = std::move(engine);
  return Status::Ok();
}

Status DecoderEncoder::LoadWeights(const model::WeightsFile& weights) {
  model::SafetensorsFile file;
  SK_RETURN_IF_ERROR(weights.Open(&file));
  // Saved bare (Qwen3Model, Gemma3TextModel); under model.* inside a *ForCausalLM.
  const std::string prefix = file.Has("embed_tokens.weight") ? "" : "model.";
  const int64_t H = config_.hidden_size, I = config_.intermediate_size, D = config_.head_dim;
  const int64_t Q = static_cast<int64_t>(config_.query_width()), KV = static_cast<int64_t>(config_.kv_width());
  auto read = [&](const std::string& name, const std::vector<int64_t>& shape, std::vector<float>* values) {
    return file.ReadFloat32(prefix + name, shape, values);
  };
  std::vector<float> weight, bias, part;
  // Several projections stacked as the rows of one GEMM (their biases too, zeros without).
  auto stacked = [&](const std::string& base, const std::vector<std::pair<const char*, int64_t>>& parts, bool has_bias,
                     EngineLinear* target) -> Status {
    weight.clear();
    bias.clear();
    int64_t rows = 0, in = 0;
    for (const auto& [name, out] : parts) {
      in = std::string(name) == "down_proj" ? I : std::string(name) == "o_proj" ? Q : H;
      SK_RETURN_IF_ERROR(read(base + name + ".weight", {out, in}, &part));
      weight.insert(weight.end(), part.begin(), part.end());
      if (has_bias) {
        SK_RETURN_IF_ERROR(read(base + name + ".bias", {out}, &part));
        bias.insert(bias.end(), part.begin(), part.end());
      } else {
        bias.insert(bias.end(), static_cast<size_t>(out), 0.0f);
      }
      rows += out;
    }
    target->Load(weight, bias, rows, in, precision_);
    return Status::Ok();
  };
  SK_RETURN_IF_ERROR(read("embed_tokens.weight", {config_.vocab_size, H}, &word_));
  if (config_.embedding_scale != 1.0f) {
    for (float& value : word_) value *= config_.embedding_scale;
  }
  const bool gemma = config_.is_gemma3();
  // Layers are added as the file proves them: num_hidden_layers alone must not size an allocation.
  layers_.clear();
  for (int l = 0; l < config_.num_layers; ++l) {
    const std::string base = "layers." + std::to_string(l) + ".";
    Layer& layer = layers_.emplace_back();
    layer.sliding = config_.sliding[static_cast<size_t>(l)] != 0;
    SK_RETURN_IF_ERROR(read(base + "input_layernorm.weight", {H}, &layer.input_norm));
    SK_RETURN_IF_ERROR(read(base + "self_attn.q_norm.weight", {D}, &layer.query_norm));
    SK_RETURN_IF_ERROR(read(base + "self_attn.k_norm.weight", {D}, &layer.key_norm));
    SK_RETURN_IF_ERROR(stacked(base + "self_attn.", {{"q_proj", Q}, {"k_proj", KV}, {"v_proj", KV}}, config_.attention_bias, &layer.qkv));
    SK_RETURN_IF_ERROR(stacked(base + "self_attn.", {{"o_proj", H}}, config_.attention_bias, &layer.output));
    SK_RETURN_IF_ERROR(stacked(base + "mlp.", {{"gate_proj", I}, {"up_proj", I}}, false, &layer.gate_up));
    SK_RETURN_IF_ERROR(stacked(base + "mlp.", {{"down_proj", H}}, false, &layer.down));
    if (gemma) {
      SK_RETURN_IF_ERROR(read(base + "post_attention_layernorm.weight", {H}, &layer.post_attention_norm));
      SK_RETURN_IF_ERROR(read(base + "pre_feedforward_layernorm.weight", {H}, &layer.feed_forward_norm));
      SK_RETURN_IF_ERROR(read(base + "post_feedforward_layernorm.weight", {H}, &layer.post_feed_forward_norm));
    } else {
      SK_RETURN_IF_ERROR(read(base + "post_attention_layernorm.weight", {H}, &layer.feed_forward_norm));
    }
  }
  return read("norm.weight", {H}, &final_norm_);
}

void DecoderEncoder::Reserve(Workspace& work, size_t lane, size_t tokens, size_t longest) {
  const size_t Q = config_.query_width();
  work.Reserve(precision_, tokens, config_.hidden_size, Q + 2 * config_.kv_width(), Q, config_.intermediate_size);
  work.context_q.Reserve(precision_, tokens, Q);
  work.global_rotary.Fill(global_frequencies_, longest);
  work.local_rotary.Fill(local_frequencies_, longest);
  GrowAttentionScratch(attention_scratch_, work.pool != nullptr, lane, longest, static_cast<size_t>(config_.head_dim));
}

template <typename Fn>
void DecoderEncoder::ForRows(Workspace& work, size_t rows, Fn&& fn) {
  if (work.pool == nullptr) return fn(size_t{0}, rows, static_cast<size_t>(&work - workspaces_.data()));
  work.pool->ParallelFor((rows + kRowsPerTask - 1) / kRowsPerTask, [&](size_t index, size_t slot) {
    fn(index * kRowsPerTask, std::min(rows, (index + 1) * kRowsPerTask), slot);
  });
}

RowNorm DecoderEncoder::Norm(const std::vector<float>& weight) const {
  RowNorm norm;
  norm.weight = weight.data();
  norm.weight_offset = config_.norm_weight_offset;
  norm.eps = config_.rms_norm_eps;
  norm.rms = true;
  return norm;
}

void DecoderEncoder::PrepareHeads(const Workspace& work, const Layer& layer, size_t t, float* row) const {
  const size_t d = static_cast<size_t>(config_.head_dim), position = static_cast<size_t>(work.positions[t]);
  const RotaryTable& table = layer.sliding ? work.local_rotary : work.global_rotary;
  const RowNorm query_norm = Norm(layer.query_norm), key_norm = Norm(layer.key_norm);
  for (int h = 0; h < config_.num_heads; ++h) {
    float* head = row + h * d;
    NormRow(query_norm, head, d, head);
    ApplyRotary(head, d, table.cos(position), table.sin(position));
  }
  for (int h = 0; h < config_.num_kv_heads; ++h) {
    float* head = row + config_.query_width() + h * d;
    NormRow(key_norm, head, d, head);
    ApplyRotary(head, d, table.cos(position), table.sin(position));
  }
}

void DecoderEncoder::Attend(Workspace& work, const PackedSequences& batch, const Layer& layer, size_t lane) {
  const size_t heads = config_.num_heads, d = config_.head_dim, Q = config_.query_width(), KV = config_.kv_width();
  const size_t row = Q + 2 * KV, group = heads / config_.num_kv_heads;
  auto run = [&](size_t index, size_t slot) {
    const size_t s = index / heads, h = index % heads;
    const size_t start = batch.offsets[s], length = batch.offsets[s + 1] - batch.offsets[s];
    HeadView view;
    const float* tokens = work.qkv.data() + start * row;
    view.q = tokens + h * d;
    view.k = tokens + Q + (h / group) * d;  // the K/V head of this query head's group
    view.v = tokens + Q + KV + (h / group) * d;
    view.stride = row;
    view.out = work.context.data() + start * Q + h * d;
    view.out_stride = Q;
    if (config_.causal) view.window_after = 0;
    if (layer.sliding) {
      view.window_before = config_.sliding_before;
      view.window_after = config_.sliding_after;
    }
    if (precision_ == EnginePrecision::kBf16x3) {
      AttentionHeadFp32(view, length, d, config_.attention_scale, attention_scratch_[slot].data());
    } else {
      AttentionHead(view, length, d, config_.attention_scale, attention_scratch_[slot].data());
    }
  };
  if (work.pool == nullptr) {
    for (size_t i = 0; i < batch.num_seqs * heads; ++i) run(i, lane);
    return;
  }
  work.pool->ParallelFor(batch.num_seqs * heads, run);
}

void DecoderEncoder::AddResidual(float* x, const float* added, const std::vector<float>& post, size_t slot) {
  const size_t H = config_.hidden_size;
  if (!post.empty()) {
    float* normed = norm_rows_[slot].data();
    NormRow(Norm(post), added, H, normed);
    added = normed;
  }
  for (size_t c = 0; c < H; ++c) x[c] += added[c];
}

Status DecoderEncoder::Forward(const PackedSequences& batch, size_t lane, bool split, const float** hidden) {
  if (lane >= workspaces_.size()) return InvalidArgument("lane " + std::to_string(lane) + " is out of range");
  // Type ids, whatever a pair template gives, are not read: there are no token types.
  SK_RETURN_IF_ERROR(ValidateSequences(batch, shape_));
  Workspace& work = workspaces_[lane];
  const size_t tokens = static_cast<size_t>(batch.offsets[batch.num_seqs]);
  size_t longest = 0;
  for (size_t s = 0; s < batch.num_seqs; ++s) longest = std::max<size_t>(longest, batch.offsets[s + 1] - batch.offsets[s]);
  work.tokens = tokens;
  work.pool = split && pool_->size() > 1 ? pool_.get() : nullptr;
  Reserve(work, lane, tokens, longest);
  for (size_t s = 0; s < batch.num_seqs; ++s) {
    for (int32_t t = batch.offsets[s]; t < batch.offsets[s + 1]; ++t) work.positions[t] = t - batch.offsets[s];
  }
  const size_t H = config_.hidden_size, I = config_.intermediate_size, Q = config_.query_width();
  const size_t row = Q + 2 * config_.kv_width();
  // x = the embeddings (scaled at load); layer 0's input is input_layernorm(x).
  ForRows(work, tokens, [&](size_t begin, size_t end, size_t slot) {
    const RowNorm norm = Norm(layers_.front().input_norm);
    for (size_t t = begin; t < end; ++t) {
      float* x = work.hidden.data() + t * H;
      std::copy_n(word_.data() + static_cast<size_t>(batch.ids[t]) * H, H, x);
      NormRow(norm, x, H, norm_rows_[slot].data());
      work.hidden_q.Set(t, norm_rows_[slot].data(), H);
    }
  });
  const kernels::GemmActivation none = kernels::GemmActivation::kNone;
  auto rows_of = [](std::vector<float>& buffer, size_t width) -> EngineLinear::BlockOut {
    return [&buffer, width](size_t, size_t begin) { return buffer.data() + begin * width; };
  };
  const EngineLinear::BlockOut gate_block = [this](size_t slot, size_t) { return feed_forward_blocks_[slot].data(); };
  const EngineLinear::BlockDone gate = [&](size_t, size_t begin, size_t end, float* rows) {
    for (size_t t = begin; t < end; ++t) {
      float* gated = rows + (t - begin) * 2 * I;
      GatedActivationRow(config_.activation, gated, gated + I, I, gated);
      work.intermediate_q.Set(t, gated, I);
    }
  };
  for (size_t l = 0; l < layers_.size(); ++l) {
    const Layer& layer = layers_[l];
    const Layer* next = l + 1 < layers_.size() ? &layers_[l + 1] : nullptr;
    // q, k, v; each head's norm and rotary while the block is in cache.
    layer.qkv.Apply(work.hidden_q, tokens, none, row, rows_of(work.qkv, row),
                    [&](size_t, size_t begin, size_t end, float* rows) {
                      for (size_t t = begin; t < end; ++t) PrepareHeads(work, layer, t, rows + (t - begin) * row);
                    },
                    work.pool, lane);
    Attend(work, batch, layer, lane);
    ForRows(work, tokens, [&](size_t begin, size_t end, size_t) {
      for (size_t t = begin; t < end; ++t) work.context_q.Set(t, work.context.data() + t * Q, Q);
    });
    // x += attention; the MLP's input is its norm of x.
    layer.output.Apply(work.context_q, tokens, none, H, rows_of(work.projected, H),
                       [&](size_t slot, size_t begin, size_t end, float* rows) {
                         const RowNorm norm = Norm(layer.feed_forward_norm);
                         for (size_t t = begin; t < end; ++t) {
                           float* x = work.hidden.data() + t * H;
                           AddResidual(x, rows + (t - begin) * H, layer.post_attention_norm, slot);
                           NormRow(norm, x, H, norm_rows_[slot].data());
                           work.hidden_q.Set(t, norm_rows_[slot].data(), H);
                         }
                       },
                       work.pool, lane);
    layer.gate_up.Apply(work.hidden_q, tokens, none, 2 * I, gate_block, gate, work.pool, lane);
    // x += MLP; then the next layer's input norm of x, or after the last layer the final norm in place.
    layer.down.Apply(work.intermediate_q, tokens, none, H, rows_of(work.projected, H),
                     [&](size_t slot, size_t begin, size_t end, float* rows) {
                       for (size_t t = begin; t < end; ++t) {
                         float* x = work.hidden.data() + t * H;
                         AddResidual(x, rows + (t - begin) * H, layer.post_feed_forward_norm, slot);
                         if (next != nullptr) {
                           NormRow(Norm(next->input_norm), x, H, norm_rows_[slot].data());
                           work.hidden_q.Set(t, norm_rows_[slot].data(), H);
                         } else {
                           NormRow(Norm(final_norm_), x, H, x);
                         }
                       }
                     },
                     work.pool, lane);
  }
  work.pool = nullptr;
  *hidden = work.hidden.data();
  return Status::Ok();
}

}  // namespace sk::cpu
