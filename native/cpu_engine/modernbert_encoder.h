// ModernBERT (transformers' ModernBertModel) on the CPU engine, at int8 or bf16x3 like CpuEncoder:
// a pre-norm transformer with no position table.
//   embeddings: x = LayerNorm(tok_embeddings[id])
//   layer l:    x += Wo(attention(rotary(Wqkv(attn_norm(x)))))   (layer 0's attn_norm is Identity)
//               x += mlp.Wo(act(input) · gate), [input | gate] = mlp.Wi(mlp_norm(x))   (GeGLU)
//   output:     final_norm(x)
//   masked LM:  decoder(head.norm(act(head.dense(output))))   (ModernBertForMaskedLM; SPLADE keeps
//               each sequence's largest logit per vocabulary entry, masked_lm_maxima.h)
// Attention is global on every global_attn_every_n_layers-th layer (rotary base global_rope_theta)
// and a symmetric sliding window of ±local_attention / 2 tokens on the others (local_rope_theta),
// over packed unpadded sequences (positions restart at 0 in each). LayerNorms have no bias unless
// norm_bias; the linear layers none unless attention_bias / mlp_bias.
// Each residual add is fused into the GEMM that feeds it, with the next norm and the next GEMM's
// input preparation, while the rows are in cache.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/aligned_vector.h"
#include "cpu_engine/block_ops.h"
#include "cpu_engine/engine_encoder.h"
#include "cpu_engine/lane_buffers.h"
#include "cpu_engine/masked_lm_maxima.h"

namespace sk::cpu {

class ModernBertEncoder final : public EngineEncoder {
 public:
  static Status Load(const std::string& model_dir, const model::EncoderConfig& config, const EngineLoadOptions& options,
                     std::unique_ptr<ModernBertEncoder>* out);

  const model::EncoderConfig& config() const override { return config_; }
  ThreadPool& pool() override { return *pool_; }
  Status Forward(const PackedSequences& batch, size_t lane, bool split, const float** hidden) override;
  bool has_masked_lm_head() const override { return masked_lm_ != nullptr; }
  Status MaskedLmMaxima(const PackedSequences& batch, size_t lane, bool split, float* maxima) override;

 private:
  struct Norm {
    std::vector<float> gamma, beta;  // beta empty without norm_bias
  };
  struct Layer {
    bool sliding = false;
    bool has_attention_norm = true;  // false on layer 0 (Identity)
    Norm attention_norm, mlp_norm;
    EngineLinear qkv, attention_out, mlp_in, mlp_out;
  };
  // One lane's per-batch buffers, grown to its largest batch and reused.
  struct Workspace : LaneBuffers {
    RotaryTable global_rotary, local_rotary;
  };

  // head.dense (bias when classifier_bias) → classifier_activation → head.norm → decoder, whose
  // weight is tok_embeddings' (tied, not saved) unless the file has its own.
  struct MaskedLmHead {
    EngineLinear dense, decoder;
    Norm norm;
    kernels::GemmActivation activation;
  };

  ModernBertEncoder() = default;
  Status LoadWeights(const model::WeightsFile& weights, bool masked_lm_head);
  Status LoadMaskedLmHead(const model::SafetensorsFile& file);
  void Reserve(Workspace& work, size_t lane, size_t tokens, size_t longest);
  // out = norm(x) (x when `norm` is null: layer 0's Identity), then prepared as row t of `next`.
  void NormalizeInto(const Norm* norm, const float* x, float* out, GemmRows& next, size_t t) const;
  void Rotate(Workspace& work, const Layer& layer);
  void Attend(Workspace& work, const PackedSequences& batch, const Layer& layer, size_t lane);
  template <typename Fn>
  void ForRows(Workspace& work, size_t rows, Fn&& fn);

  model::EncoderConfig config_;
  EnginePrecision precision_ = EnginePrecision::kInt8;
  GateActivation gate_ = GateActivation::kGeluErf;
  std::unique_ptr<ThreadPool> pool_;
  std::vector<float> word_;
  Norm embedding_norm_, final_norm_;
  std::vector<Layer> layers_;
  std::vector<float> global_frequencies_, local_frequencies_;
  std::vector<Workspace> workspaces_;                    // one per lane
  std::vector<AlignedVector<float>> attention_scratch_;  // one per pool slot
  // One GEMM block of Wi's [input | gate] rows and one normalized row per pool slot.
  std::vector<std::vector<float>> feed_forward_blocks_, norm_rows_;
  std::unique_ptr<MaskedLmHead> masked_lm_;  // only when asked for and in the file
  DecoderMaxima maxima_;
};

}  // namespace sk::cpu
