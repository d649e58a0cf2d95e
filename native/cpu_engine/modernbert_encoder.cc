#include "cpu_engine/modernbert_encoder.h"

#include <algorithm>
#include <cmath>

#include "cpu_engine/encoder_ops.h"
#include "model/safetensors_file.h"

namespace sk::cpu {
namespace {

constexpr size_t kRowsPerTask = 32;
// As CpuEncoder: idle lanes poll this long between a batch's sections before sleeping.
constexpr unsigned kSpinMicroseconds = 200;

GateActivation GateOf(model::Activation activation) {
  return activation == model::Activation::kGeluTanh ? GateActivation::kGeluTanh : GateActivation::kGeluErf;
}

}  // namespace

Status ModernBertEncoder::Load(const std::string& model_dir, const model::EncoderConfig& config,
                               const EngineLoadOptions& options, std::unique_ptr<ModernBertEncoder>* out) {
  std::unique_ptr<ModernBertEncoder> engine(new ModernBertEncoder());
  engine->config_ = config;
  engine->precision_ = options.precision;
  engine->gate_ = GateOf(config.activation);
  SK_RETURN_IF_ERROR(engine->LoadWeights(options.Weights(model_dir), options.masked_lm_head));
  const size_t head_dim = static_cast<size_t>(config.head_dim());
  engine->global_frequencies_ = RotaryInverseFrequencies(head_dim, config.modernbert.global_rope_theta);
  engine->local_frequencies_ = RotaryInverseFrequencies(head_dim, config.modernbert.local_rope_theta);
  engine->pool_ = std::make_unique<ThreadPool>(options.threads, options.spin ? kSpinMicroseconds : 0);
  const size_t slots = engine->pool_->size();
  engine->workspaces_.resize(slots);
  engine->attention_scratch_.resize(slots);
  engine->feed_forward_blocks_.assign(slots, std::vector<float>(EngineLinear::kBlockRows * 2 * config.intermediate_size));
  engine->norm_rows_.assign(slots, std::vector<float>(config.hidden_size));
  if (engine->masked_lm_) engine->maxima_.Reserve(slots);
  *out = std::move(engine);
  return Status::Ok();
}

Status ModernBertEncoder::LoadWeights(const model::WeightsFile& weights, bool masked_lm_head) {
  model::SafetensorsFile file;
  SK_RETURN_IF_ERROR(weights.Open(&file));
  // Saved bare by sentence-transformers; under model.* inside ModernBertFor* head models.
  const std::string prefix = file.Has("embeddings.tok_embeddings.weight") ? "" : "model.";
  const int64_t H = config_.hidden_size, I = config_.intermediate_size;
  const model::ModernBertSettings& settings = config_.modernbert;
  auto read = [&](const std::string& name, const std::vector<int64_t>& shape, std::vector<float>* values) {
    return file.ReadFloat32(prefix + name, shape, values);
  };
  auto norm = [&](const std::string& name, Norm* target) -> Status {
    SK_RETURN_IF_ERROR(read(name + ".weight", {H}, &target->gamma));
    target->beta.clear();
    return settings.norm_bias ? read(name + ".bias", {H}, &target->beta) : Status::Ok();
  };
  std::vector<float> weight, bias;
  auto linear = [&](const std::string& name, int64_t out, int64_t in, bool has_bias, EngineLinear* target) -> Status {
    SK_RETURN_IF_ERROR(read(name + ".weight", {out, in}, &weight));
    if (has_bias) {
      SK_RETURN_IF_ERROR(read(name + ".bias", {out}, &bias));
    } else {
      bias.assign(static_cast<size_t>(out), 0.0f);
    }
    target->Load(weight, bias, out, in, precision_);
    return Status::Ok();
  };
  SK_RETURN_IF_ERROR(read("embeddings.tok_embeddings.weight", {config_.vocab_size, H}, &word_));
  SK_RETURN_IF_ERROR(norm("embeddings.norm", &embedding_norm_));
  // Layers are added as the file proves them: num_hidden_layers alone must not size an allocation.
  layers_.clear();
  for (int l = 0; l < config_.num_layers; ++l) {
    const std::string base = "layers." + std::to_string(l) + ".";
    Layer& layer = layers_.emplace_back();
    layer.sliding = settings.sliding_layer(l);
    layer.has_attention_norm = l > 0;
    if (layer.has_attention_norm) SK_RETURN_IF_ERROR(norm(base + "attn_norm", &layer.attention_norm));
    SK_RETURN_IF_ERROR(norm(base + "mlp_norm", &layer.mlp_norm));
    SK_RETURN_IF_ERROR(linear(base + "attn.Wqkv", 3 * H, H, settings.attention_bias, &layer.qkv));
    SK_RETURN_IF_ERROR(linear(base + "attn.Wo", H, H, settings.attention_bias, &layer.attention_out));
    SK_RETURN_IF_ERROR(linear(base + "mlp.Wi", 2 * I, H, settings.mlp_bias, &layer.mlp_in));
    SK_RETURN_IF_ERROR(linear(base + "mlp.Wo", H, I, settings.mlp_bias, &layer.mlp_out));
  }
  SK_RETURN_IF_ERROR(norm("final_norm", &final_norm_));
  return masked_lm_head ? LoadMaskedLmHead(file) : Status::Ok();
}

Status ModernBertEncoder::LoadMaskedLmHead(const model::SafetensorsFile& file) {
  if (!file.Has("head.dense.weight") || !file.Has("head.norm.weight")) return Status::Ok();  // a bare encoder
  const int64_t H = config_.hidden_size, V = config_.vocab_size;
  const model::ModernBertSettings& settings = config_.modernbert;
  auto head = std::make_unique<MaskedLmHead>();
  std::vector<float> weight, bias;
  SK_RETURN_IF_ERROR(file.ReadFloat32("head.dense.weight", {H, H}, &weight));
  if (settings.classifier_bias) {
    SK_RETURN_IF_ERROR(file.ReadFloat32("head.dense.bias", {H}, &bias));
  } else {
    bias.assign(static_cast<size_t>(H), 0.0f);
  }
  head->dense.Load(weight, bias, H, H, precision_);
  head->activation = kernels::ToGemmActivation(settings.classifier_activation);
  SK_RETURN_IF_ERROR(file.ReadFloat32("head.norm.weight", {H}, &head->norm.gamma));
  if (settings.norm_bias) SK_RETURN_IF_ERROR(file.ReadFloat32("head.norm.bias", {H}, &head->norm.beta));
  if (file.Has("decoder.weight")) {
    SK_RETURN_IF_ERROR(file.ReadFloat32("decoder.weight", {V, H}, &weight));
  } else {
    weight = word_;
  }
  // decoder_bias (true unless the config says otherwise) saves decoder.bias.
  if (file.Has("decoder.bias")) {
    SK_RETURN_IF_ERROR(file.ReadFloat32("decoder.bias", {V}, &bias));
  } else {
    bias.assign(static_cast<size_t>(V), 0.0f);
  }
  head->decoder.Load(weight, bias, V, H, precision_);
  masked_lm_ = std::move(head);
  return Status::Ok();
}

void ModernBertEncoder::Reserve(Workspace& work, size_t lane, size_t tokens, size_t longest) {
  const size_t H = config_.hidden_size;
  work.Reserve(precision_, tokens, H, 3 * H, H, config_.intermediate_size);
  work.global_rotary.Fill(global_frequencies_, longest);
  work.local_rotary.Fill(local_frequencies_, longest);
  GrowAttentionScratch(attention_scratch_, work.pool != nullptr, lane, longest, config_.head_dim());
}

template <typename Fn>
void ModernBertEncoder::ForRows(Workspace& work, size_t rows, Fn&& fn) {
  if (work.pool == nullptr) return fn(size_t{0}, rows, static_cast<size_t>(&work - workspaces_.data()));
  work.pool->ParallelFor((rows + kRowsPerTask - 1) / kRowsPerTask, [&](size_t index, size_t slot) {
    fn(index * kRowsPerTask, std::min(rows, (index + 1) * kRowsPerTask), slot);
  });
}

void ModernBertEncoder::NormalizeInto(const Norm* norm, const float* x, float* out, GemmRows& next, size_t t) const {
  const size_t H = config_.hidden_size;
  if (norm == nullptr) return next.Set(t, x, H);
  RowNorm row_norm;
  row_norm.weight = norm->gamma.data();
  row_norm.bias = norm->beta.empty() ? nullptr : norm->beta.data();
  row_norm.eps = config_.layer_norm_eps;
  row_norm.rms = false;
  NormRow(row_norm, x, H, out);
  next.Set(t, out, H);
}

void ModernBertEncoder::Rotate(Workspace& work, const Layer& layer) {
  const size_t H = config_.hidden_size, heads = config_.num_heads, d = config_.head_dim();
  const RotaryTable& table = layer.sliding ? work.local_rotary : work.global_rotary;
  ForRows(work, work.tokens, [&](size_t begin, size_t end, size_t) {
    for (size_t t = begin; t < end; ++t) {
      const size_t position = static_cast<size_t>(work.positions[t]);
      float* q = work.qkv.data() + t * 3 * H;
      for (size_t h = 0; h < heads; ++h) {
        ApplyRotary(q + h * d, d, table.cos(position), table.sin(position));
        ApplyRotary(q + H + h * d, d, table.cos(position), table.sin(position));
      }
    }
  });
}

void ModernBertEncoder::Attend(Workspace& work, const PackedSequences& batch, const Layer& layer, size_t lane) {
  const size_t H = config_.hidden_size, heads = config_.num_heads, d = config_.head_dim();
  const float scale = 1.0f / std::sqrt(static_cast<float>(d));
  const size_t half_window = static_cast<size_t>(config_.modernbert.half_window);
  auto run = [&](size_t index, size_t slot) {
    const size_t s = index / heads, h = index % heads;
    const size_t start = batch.offsets[s], length = batch.offsets[s + 1] - batch.offsets[s];
    HeadView view;
    view.q = work.qkv.data() + start * 3 * H + h * d;
    view.k = view.q + H;
    view.v = view.q + 2 * H;
    view.stride = 3 * H;
    view.out = work.context.data() + start * H + h * d;
    view.out_stride = H;
    if (layer.sliding) view.window_before = view.window_after = half_window;
    if (precision_ == EnginePrecision::kBf16x3) {
      AttentionHeadFp32(view, length, d, scale, attention_scratch_[slot].data());
    } else {
      AttentionHead(view, length, d, scale, attention_scratch_[slot].data());
    }
  };
  if (work.pool == nullptr) {
    for (size_t i = 0; i < batch.num_seqs * heads; ++i) run(i, lane);
    return;
  }
  work.pool->ParallelFor(batch.num_seqs * heads, run);
}

Status ModernBertEncoder::Forward(const PackedSequences& batch, size_t lane, bool split, const float** hidden) {
  if (lane >= workspaces_.size()) return InvalidArgument("lane " + std::to_string(lane) + " is out of range");
  // ModernBERT has no token types: type ids, whatever a pair template gives, are not read.
  SK_RETURN_IF_ERROR(ValidateSequences(batch, config_));
  Workspace& work = workspaces_[lane];
  const size_t tokens = static_cast<size_t>(batch.offsets[batch.num_seqs]);
  size_t longest = 0;
  for (size_t s = 0; s < batch.num_seqs; ++s) {
    longest = std::max<size_t>(longest, batch.offsets[s + 1] - batch.offsets[s]);
  }
  work.tokens = tokens;
  work.pool = split && pool_->size() > 1 ? pool_.get() : nullptr;
  Reserve(work, lane, tokens, longest);
  for (size_t s = 0; s < batch.num_seqs; ++s) {
    for (int32_t t = batch.offsets[s]; t < batch.offsets[s + 1]; ++t) work.positions[t] = t - batch.offsets[s];
  }
  const size_t H = config_.hidden_size, I = config_.intermediate_size;
  RowNorm embedding_norm;
  embedding_norm.weight = embedding_norm_.gamma.data();
  embedding_norm.bias = embedding_norm_.beta.empty() ? nullptr : embedding_norm_.beta.data();
  embedding_norm.eps = config_.layer_norm_eps;
  embedding_norm.rms = false;
  RowNorm final_norm = embedding_norm;
  final_norm.weight = final_norm_.gamma.data();
  final_norm.bias = final_norm_.beta.empty() ? nullptr : final_norm_.beta.data();
  const Layer& first = layers_.front();
  // The embeddings are the residual stream; layer 0 attends over them as they are.
  ForRows(work, tokens, [&](size_t begin, size_t end, size_t slot) {
    for (size_t t = begin; t < end; ++t) {
      float* row = work.hidden.data() + t * H;
      NormRow(embedding_norm, word_.data() + static_cast<size_t>(batch.ids[t]) * H, H, row);
      NormalizeInto(first.has_attention_norm ? &first.attention_norm : nullptr, row, norm_rows_[slot].data(), work.hidden_q, t);
    }
  });
  const kernels::GemmActivation none = kernels::GemmActivation::kNone;
  auto rows_of = [](std::vector<float>& buffer, size_t width) -> EngineLinear::BlockOut {
    return [&buffer, width](size_t, size_t begin) { return buffer.data() + begin * width; };
  };
  const EngineLinear::BlockOut gate_block = [this](size_t slot, size_t) { return feed_forward_blocks_[slot].data(); };
  const EngineLinear::BlockDone gate = [&](size_t, size_t begin, size_t end, float* rows) {
    for (size_t t = begin; t < end; ++t) {
      float* row = rows + (t - begin) * 2 * I;
      GatedActivationRow(gate_, row, row + I, I, row);
      work.intermediate_q.Set(t, row, I);
    }
  };
  for (size_t l = 0; l < layers_.size(); ++l) {
    const Layer& layer = layers_[l];
    const Layer* next = l + 1 < layers_.size() ? &layers_[l + 1] : nullptr;
    layer.qkv.Apply(work.hidden_q, tokens, none, 3 * H, rows_of(work.qkv, 3 * H), nullptr, work.pool, lane);
    Rotate(work, layer);
    Attend(work, batch, layer, lane);
    ForRows(work, tokens, [&](size_t begin, size_t end, size_t) {
      for (size_t t = begin; t < end; ++t) work.hidden_q.Set(t, work.context.data() + t * H, H);
    });
    // x += attention; the MLP's input is mlp_norm(x).
    layer.attention_out.Apply(work.hidden_q, tokens, none, H, rows_of(work.projected, H),
                              [&](size_t slot, size_t begin, size_t end, float* rows) {
                                for (size_t t = begin; t < end; ++t) {
                                  float* x = work.hidden.data() + t * H;
                                  const float* add = rows + (t - begin) * H;
                                  for (size_t c = 0; c < H; ++c) x[c] += add[c];
                                  NormalizeInto(&layer.mlp_norm, x, norm_rows_[slot].data(), work.hidden_q, t);
                                }
                              },
                              work.pool, lane);
    layer.mlp_in.Apply(work.hidden_q, tokens, none, 2 * I, gate_block, gate, work.pool, lane);
    // x += MLP; then the next layer's attn_norm(x), or after the last layer final_norm in place.
    layer.mlp_out.Apply(work.intermediate_q, tokens, none, H, rows_of(work.projected, H),
                        [&](size_t slot, size_t begin, size_t end, float* rows) {
                          for (size_t t = begin; t < end; ++t) {
                            float* x = work.hidden.data() + t * H;
                            const float* add = rows + (t - begin) * H;
                            for (size_t c = 0; c < H; ++c) x[c] += add[c];
                            if (next != nullptr) {
                              NormalizeInto(&next->attention_norm, x, norm_rows_[slot].data(), work.hidden_q, t);
                            } else {
                              NormRow(final_norm, x, H, x);
                            }
                          }
                        },
                        work.pool, lane);
  }
  work.pool = nullptr;
  *hidden = work.hidden.data();
  return Status::Ok();
}

Status ModernBertEncoder::MaskedLmMaxima(const PackedSequences& batch, size_t lane, bool split, float* maxima) {
  if (!masked_lm_) return InvalidArgument("this model has no ModernBERT masked-LM head (head.dense, head.norm) in model.safetensors");
  const float* hidden = nullptr;
  SK_RETURN_IF_ERROR(Forward(batch, lane, split, &hidden));
  Workspace& work = workspaces_[lane];
  work.pool = split && pool_->size() > 1 ? pool_.get() : nullptr;
  const size_t tokens = work.tokens, H = config_.hidden_size;
  const MaskedLmHead& head = *masked_lm_;
  ForRows(work, tokens, [&](size_t begin, size_t end, size_t) {
    for (size_t t = begin; t < end; ++t) work.hidden_q.Set(t, hidden + t * H, H);
  });
  head.dense.Apply(
      work.hidden_q, tokens, head.activation, H, [&](size_t, size_t begin) { return work.projected.data() + begin * H; },
      [&](size_t slot, size_t begin, size_t end, float* rows) {
        for (size_t t = begin; t < end; ++t) NormalizeInto(&head.norm, rows + (t - begin) * H, norm_rows_[slot].data(), work.hidden_q, t);
      },
      work.pool, lane);
  maxima_.Run(head.decoder, work.hidden_q, batch, work.pool, lane, maxima);
  work.pool = nullptr;
  return Status::Ok();
}

}  // namespace sk::cpu
