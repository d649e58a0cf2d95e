#include "cpu_engine/cpu_encoder.h"

#include <algorithm>
#include <cmath>

#include "cpu_engine/encoder_ops.h"
#include "model/head_names.h"
#include "model/safetensors_file.h"

namespace sk::cpu {
namespace {

constexpr size_t kRowsPerTask = 32;
// Workers poll this long between sections before sleeping (see ThreadPool): a batch's
// sections follow each other within microseconds, and an idle engine stops polling soon.
constexpr unsigned kSpinMicroseconds = 200;
constexpr size_t kBiasPadding = 32;
// Decoder columns per tile: [64, 1,024] floats (256 KiB) and the chunk's int8 weights stay in L2.
// MPNet's bucket of a key - query distance (transformers' MPNet relative_position_bucket:
// bidirectional, exact below a quarter of the buckets, logarithmic up to 128 apart).
int RelativeBucket(int relative_position, int buckets) {
  int n = -relative_position;
  const int half = buckets / 2;
  const int bucket = n < 0 ? half : 0;
  n = n < 0 ? -n : n;
  const int max_exact = half / 2;
  if (n < max_exact) return bucket + n;
  const float large = std::log(static_cast<float>(n) / static_cast<float>(max_exact)) /
                      static_cast<float>(std::log(128.0 / max_exact)) * static_cast<float>(half - max_exact);
  return bucket + std::min(max_exact + static_cast<int>(large), half - 1);
}

// Where a post-LN layer's tensors live: BERT/RoBERTa name the attention's parts
// attention.self.{query,key,value} and attention.output.{dense,LayerNorm}; MPNet
// attention.attn.{q,k,v,o} and attention.LayerNorm; DistilBERT transformer.layer.N.attention.
// {q,k,v,out}_lin, sa_layer_norm, ffn.lin1 / lin2 and output_layer_norm.
struct LayerNames {
  std::string layers;
  std::vector<const char*> qkv;
  std::string attention_out, attention_norm, intermediate, output, output_norm;
};

LayerNames NamesOf(const model::EncoderConfig& config) {
  if (config.is_distilbert()) {
    return {"transformer.layer.", {"attention.q_lin", "attention.k_lin", "attention.v_lin"}, "attention.out_lin",
            "sa_layer_norm", "ffn.lin1", "ffn.lin2", "output_layer_norm"};
  }
  if (config.relative_buckets > 0) {
    return {"encoder.layer.", {"attention.attn.q", "attention.attn.k", "attention.attn.v"}, "attention.attn.o",
            "attention.LayerNorm", "intermediate.dense", "output.dense", "output.LayerNorm"};
  }
  return {"encoder.layer.", {"attention.self.query", "attention.self.key", "attention.self.value"}, "attention.output.dense",
          "attention.output.LayerNorm", "intermediate.dense", "output.dense", "output.LayerNorm"};
}

}  // namespace

Status CpuEncoder::Load(const std::string& model_dir, const LoadOptions& options, std::unique_ptr<CpuEncoder>* out) {
  std::unique_ptr<CpuEncoder> engine(new CpuEncoder());
  engine->precision_ = options.precision;
  SK_RETURN_IF_ERROR(model::ReadEncoderConfig(model_dir + "/config.json", &engine->config_));
  if (engine->config_.is_modernbert()) {
    return ModelLoadError(model_dir + ": ModernBERT runs on ModernBertEncoder (LoadEngineEncoder), not the post-LN encoder");
  }
  SK_RETURN_IF_ERROR(engine->LoadWeights(options.Weights(model_dir), options.masked_lm_head));
  engine->pool_ = std::make_unique<ThreadPool>(options.threads, options.spin ? kSpinMicroseconds : 0);
  if (engine->masked_lm_) {
    engine->zero_row_.assign(engine->config_.hidden_size, 0.0f);
    engine->maxima_.Reserve(engine->pool_->size());
  }
  engine->workspaces_.resize(engine->pool_->size());
  engine->attention_scratch_.resize(engine->pool_->size());
  engine->feed_forward_blocks_.assign(engine->pool_->size(),
                                      std::vector<float>(EngineLinear::kBlockRows * engine->config_.intermediate_size));
  *out = std::move(engine);
  return Status::Ok();
}

Status CpuEncoder::LoadWeights(const model::WeightsFile& weights, bool masked_lm_head) {
  model::SafetensorsFile file;
  SK_RETURN_IF_ERROR(weights.Open(&file));
  const std::string prefix = model::FindBasePrefix(file);
  const int64_t H = config_.hidden_size, I = config_.intermediate_size;
  auto read = [&](const std::string& name, const std::vector<int64_t>& shape, std::vector<float>* values) {
    return file.ReadFloat32(prefix + name, shape, values);
  };
  SK_RETURN_IF_ERROR(read("embeddings.word_embeddings.weight", {config_.vocab_size, H}, &word_));
  // DistilBERT's sinusoidal_pos_embds table is a saved parameter like a learned one
  // (transformers fills position_embeddings.weight at init and saves it), so it is read too.
  SK_RETURN_IF_ERROR(read("embeddings.position_embeddings.weight", {config_.max_position_embeddings, H}, &position_));
  if (config_.type_vocab_size > 0) {
    SK_RETURN_IF_ERROR(read("embeddings.token_type_embeddings.weight", {config_.type_vocab_size, H}, &token_type_));
  }
  SK_RETURN_IF_ERROR(read("embeddings.LayerNorm.weight", {H}, &embed_gamma_));
  SK_RETURN_IF_ERROR(read("embeddings.LayerNorm.bias", {H}, &embed_beta_));
  const LayerNames names = NamesOf(config_);
  // Layers are added as the file proves them: config.json's num_hidden_layers alone (up to
  // INT32_MAX in a hostile file) must not size an allocation.
  layers_.clear();
  std::vector<float> weight, bias, part;
  for (int l = 0; l < config_.num_layers; ++l) {
    const std::string base = names.layers + std::to_string(l) + ".";
    Layer& layer = layers_.emplace_back();
    weight.clear();
    bias.clear();
    // Query, key and value in one GEMM: [3H, H] rows, so each token's row is q | k | v.
    for (const char* which : names.qkv) {
      SK_RETURN_IF_ERROR(read(base + which + ".weight", {H, H}, &part));
      weight.insert(weight.end(), part.begin(), part.end());
      SK_RETURN_IF_ERROR(read(base + which + ".bias", {H}, &part));
      bias.insert(bias.end(), part.begin(), part.end());
    }
    layer.qkv.Load(weight, bias, 3 * H, H, precision_);
    auto linear = [&](const std::string& name, int64_t out, int64_t in, EngineLinear* target) -> Status {
      SK_RETURN_IF_ERROR(read(base + name + ".weight", {out, in}, &weight));
      SK_RETURN_IF_ERROR(read(base + name + ".bias", {out}, &bias));
      target->Load(weight, bias, out, in, precision_);
      return Status::Ok();
    };
    SK_RETURN_IF_ERROR(linear(names.attention_out, H, H, &layer.attention_out));
    SK_RETURN_IF_ERROR(linear(names.intermediate, I, H, &layer.intermediate));
    SK_RETURN_IF_ERROR(linear(names.output, H, I, &layer.output));
    SK_RETURN_IF_ERROR(read(base + names.attention_norm + ".weight", {H}, &layer.attention_gamma));
    SK_RETURN_IF_ERROR(read(base + names.attention_norm + ".bias", {H}, &layer.attention_beta));
    SK_RETURN_IF_ERROR(read(base + names.output_norm + ".weight", {H}, &layer.output_gamma));
    SK_RETURN_IF_ERROR(read(base + names.output_norm + ".bias", {H}, &layer.output_beta));
  }
  if (config_.relative_buckets > 0) {
    // The bias depends only on key - query: one table per head for every layer and batch.
    const int heads = config_.num_heads, buckets = config_.relative_buckets;
    SK_RETURN_IF_ERROR(read("encoder.relative_attention_bias.weight", {buckets, heads}, &weight));
    bias_span_ = static_cast<size_t>(config_.max_sequence());
    bias_row_ = 2 * bias_span_ - 1 + 2 * kBiasPadding;
    position_bias_.assign(static_cast<size_t>(heads) * bias_row_, 0.0f);
    for (int h = 0; h < heads; ++h) {
      for (int distance = 1 - static_cast<int>(bias_span_); distance < static_cast<int>(bias_span_); ++distance) {
        position_bias_[h * bias_row_ + kBiasPadding + (distance + bias_span_ - 1)] = weight[RelativeBucket(distance, buckets) * heads + h];
      }
    }
  }
  return masked_lm_head ? LoadMaskedLmHead(file) : Status::Ok();
}

Status CpuEncoder::LoadMaskedLmHead(const model::SafetensorsFile& file) {
  model::MaskedLmHeadNames names;
  if (!model::FindMaskedLmHead(file, &names)) return Status::Ok();  // a bare encoder or another head
  const int64_t H = config_.hidden_size, V = config_.vocab_size;
  auto head = std::make_unique<MaskedLmHead>();
  std::vector<float> weight, values;
  SK_RETURN_IF_ERROR(file.ReadFloat32(names.dense + ".weight", {H, H}, &weight));
  SK_RETURN_IF_ERROR(file.ReadFloat32(names.dense + ".bias", {H}, &values));
  head->transform.Load(weight, values, H, H, precision_);
  // transformers' RobertaLMHead (and MPNet's) always applies erf GELU; BERT's transform, hidden_act.
  head->activation = names.dense.rfind("lm_head", 0) == 0 ? kernels::GemmActivation::kGeluErf
                                                          : kernels::ToGemmActivation(config_.activation);
  SK_RETURN_IF_ERROR(file.ReadFloat32(names.norm + ".weight", {H}, &head->gamma));
  SK_RETURN_IF_ERROR(file.ReadFloat32(names.norm + ".bias", {H}, &head->beta));
  // The decoder is its own tensor, or tied to the word embeddings (then not saved).
  if (file.Has(names.decoder)) {
    SK_RETURN_IF_ERROR(file.ReadFloat32(names.decoder, {V, H}, &weight));
  } else {
    weight = word_;
  }
  SK_RETURN_IF_ERROR(file.ReadFloat32(names.bias, {V}, &values));
  head->decoder.Load(weight, values, V, H, precision_);
  masked_lm_ = std::move(head);
  return Status::Ok();
}

Status CpuEncoder::Validate(const PackedSequences& batch) const {
  SK_RETURN_IF_ERROR(ValidateSequences(batch, config_));
  // Models with at most one token type (RoBERTa, XLM-R, MPNet, DistilBERT) never read the ids,
  // as in transformers, whatever a tokenizer's pair template gives.
  if (batch.type_ids == nullptr || config_.type_vocab_size <= 1) return Status::Ok();
  for (int32_t t = 0; t < batch.offsets[batch.num_seqs]; ++t) {
    const int32_t type = batch.type_ids[t];
    if (type < 0 || type >= config_.type_vocab_size) return InvalidArgument("token type " + std::to_string(type) + " is out of range");
  }
  return Status::Ok();
}

void CpuEncoder::Reserve(Workspace& work, size_t lane, size_t tokens, size_t longest) {
  const size_t H = config_.hidden_size;
  work.Reserve(precision_, tokens, H, 3 * H, H, config_.intermediate_size);
  GrowAttentionScratch(attention_scratch_, work.pool != nullptr, lane, longest, config_.head_dim());
}

template <typename Fn>
void CpuEncoder::ForRows(Workspace& work, size_t rows, Fn&& fn) {
  if (work.pool == nullptr) return fn(size_t{0}, rows);
  work.pool->ParallelFor((rows + kRowsPerTask - 1) / kRowsPerTask, [&](size_t index, size_t) {
    fn(index * kRowsPerTask, std::min(rows, (index + 1) * kRowsPerTask));
  });
}

void CpuEncoder::Embed(Workspace& work, const PackedSequences& batch) {
  const size_t H = config_.hidden_size;
  std::vector<int32_t>& positions = work.positions;
  for (size_t s = 0; s < batch.num_seqs; ++s) {
    for (int32_t t = batch.offsets[s]; t < batch.offsets[s + 1]; ++t) positions[t] = config_.position_offset + t - batch.offsets[s];
  }
  ForRows(work, work.tokens, [&](size_t begin, size_t end) {
    for (size_t t = begin; t < end; ++t) {
      float* row = work.hidden.data() + t * H;
      const float* word = word_.data() + static_cast<size_t>(batch.ids[t]) * H;
      if (token_type_.empty()) {
        std::copy_n(word, H, row);
      } else {
        const bool typed = batch.type_ids != nullptr && config_.type_vocab_size > 1;
        const float* type = token_type_.data() + static_cast<size_t>(typed ? batch.type_ids[t] : 0) * H;
        for (size_t c = 0; c < H; ++c) row[c] = word[c] + type[c];
      }
      NormalizeRow(row, position_.data() + static_cast<size_t>(positions[t]) * H, embed_gamma_, embed_beta_, &work.hidden_q, t);
    }
  });
}

void CpuEncoder::Attend(Workspace& work, const PackedSequences& batch, size_t lane) {
  const size_t H = config_.hidden_size, heads = config_.num_heads, d = config_.head_dim();
  const float scale = 1.0f / std::sqrt(static_cast<float>(d));
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
    // Distance 0 of head h's table.
    if (!position_bias_.empty()) view.position_bias = position_bias_.data() + h * bias_row_ + kBiasPadding + bias_span_ - 1;
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

EngineLinear::BlockDone CpuEncoder::AddAndNormalize(Workspace& work, const std::vector<float>& gamma,
                                                   const std::vector<float>& beta, bool quantize) const {
  return [this, &work, &gamma, &beta, quantize](size_t, size_t begin, size_t end, float* rows) {
    const size_t H = config_.hidden_size;
    for (size_t t = begin; t < end; ++t) {
      NormalizeRow(rows + (t - begin) * H, work.hidden.data() + t * H, gamma, beta, quantize ? &work.hidden_q : nullptr, t);
    }
  };
}

void CpuEncoder::NormalizeRow(float* x, const float* residual, const std::vector<float>& gamma,
                              const std::vector<float>& beta, GemmRows* next, size_t t) const {
  const size_t H = config_.hidden_size;
  // int8 quantizes inside the LayerNorm's last pass; bf16x3 splits the finished row.
  const bool fused = next != nullptr && next->precision == EnginePrecision::kInt8;
  float unused_scale = 0.0f;
  ResidualLayerNormRow(x, residual, H, gamma.data(), beta.data(), config_.layer_norm_eps, fused ? next->row(t) : nullptr,
                       fused ? &next->scales[t] : &unused_scale);
  if (next != nullptr && !fused) next->Set(t, x, H);
}

ThreadPool* CpuEncoder::SplitPool(bool split) const {
  return split && pool_->size() > 1 ? pool_.get() : nullptr;
}

Status CpuEncoder::Forward(const PackedSequences& batch, size_t lane, bool split, const float** hidden) {
  SK_RETURN_IF_ERROR(Encode(batch, lane, split, false));
  workspaces_[lane].pool = nullptr;
  *hidden = workspaces_[lane].hidden.data();
  return Status::Ok();
}

Status CpuEncoder::Encode(const PackedSequences& batch, size_t lane, bool split, bool quantize_output) {
  if (lane >= workspaces_.size()) return InvalidArgument("lane " + std::to_string(lane) + " is out of range");
  SK_RETURN_IF_ERROR(Validate(batch));
  Workspace& work = workspaces_[lane];
  const size_t tokens = static_cast<size_t>(batch.offsets[batch.num_seqs]);
  size_t longest = 0;
  for (size_t s = 0; s < batch.num_seqs; ++s) longest = std::max<size_t>(longest, batch.offsets[s + 1] - batch.offsets[s]);
  work.tokens = tokens;
  work.pool = SplitPool(split);
  Reserve(work, lane, tokens, longest);
  const size_t H = config_.hidden_size, I = config_.intermediate_size;
  const kernels::GemmActivation activation = kernels::ToGemmActivation(config_.activation);
  const kernels::GemmActivation none = kernels::GemmActivation::kNone;
  Embed(work, batch);
  auto rows_of = [](std::vector<float>& buffer, size_t width) -> EngineLinear::BlockOut {
    return [&buffer, width](size_t, size_t begin) { return buffer.data() + begin * width; };
  };
  const EngineLinear::BlockOut feed_forward_block = [this](size_t slot, size_t) { return feed_forward_blocks_[slot].data(); };
  const EngineLinear::BlockDone quantize_feed_forward = [&](size_t, size_t begin, size_t end, float* rows) {
    for (size_t t = begin; t < end; ++t) {
      work.intermediate_q.Set(t, rows + (t - begin) * I, I);
    }
  };
  for (size_t l = 0; l < layers_.size(); ++l) {
    const Layer& layer = layers_[l];
    layer.qkv.Apply(work.hidden_q, tokens, none, 3 * H, rows_of(work.qkv, 3 * H), nullptr, work.pool, lane);
    Attend(work, batch, lane);
    ForRows(work, tokens, [&](size_t begin, size_t end) {
      for (size_t t = begin; t < end; ++t) work.hidden_q.Set(t, work.context.data() + t * H, H);
    });
    layer.attention_out.Apply(work.hidden_q, tokens, none, H, rows_of(work.projected, H),
                              AddAndNormalize(work, layer.attention_gamma, layer.attention_beta, true), work.pool, lane);
    work.hidden.swap(work.projected);
    layer.intermediate.Apply(work.hidden_q, tokens, activation, I, feed_forward_block, quantize_feed_forward, work.pool, lane);
    layer.output.Apply(work.intermediate_q, tokens, none, H, rows_of(work.projected, H),
                       AddAndNormalize(work, layer.output_gamma, layer.output_beta, quantize_output || l + 1 < layers_.size()),
                       work.pool, lane);
    work.hidden.swap(work.projected);
  }
  return Status::Ok();
}

Status CpuEncoder::MaskedLmMaxima(const PackedSequences& batch, size_t lane, bool split, float* maxima) {
  if (!masked_lm_) return InvalidArgument("this model has no masked-LM head (cls.predictions or lm_head) in model.safetensors");
  // The encoder's last LayerNorm quantizes its output too: the transform reads it as int8.
  SK_RETURN_IF_ERROR(Encode(batch, lane, split, true));
  Workspace& work = workspaces_[lane];  // its pool still set for a split batch
  const size_t tokens = work.tokens, H = config_.hidden_size;
  const MaskedLmHead& head = *masked_lm_;
  head.transform.Apply(
      work.hidden_q, tokens, head.activation, H,
      [&](size_t, size_t begin) { return work.projected.data() + begin * H; },
      [&](size_t, size_t begin, size_t end, float* rows) {
        for (size_t t = begin; t < end; ++t) {
          NormalizeRow(rows + (t - begin) * H, zero_row_.data(), head.gamma, head.beta, &work.hidden_q, t);
        }
      },
      work.pool, lane);
  maxima_.Run(head.decoder, work.hidden_q, batch, work.pool, lane, maxima);
  work.pool = nullptr;
  return Status::Ok();
}

}  // namespace sk::cpu
