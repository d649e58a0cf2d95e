// Decoder-architecture embedding models on the CPU engine, at int8 or bf16x3 like CpuEncoder:
// Qwen3 (transformers' Qwen3Model: Qwen3-Embedding) and Gemma 3 (Gemma3TextModel: EmbeddingGemma).
//   embeddings: x = embed_tokens[id] · embedding_scale              (Gemma: sqrt(hidden))
//   layer l:    a = o_proj(attention(rotary(k_norm / q_norm per head of qkv(input_norm(x)))))
//               x += a                                               (Gemma: x += post_attention_norm(a))
//               m = down(act(gate(n)) · up(n)), n = post_attention_norm(x)   (Gemma: pre_feedforward_norm)
//               x += m                                               (Gemma: x += post_feedforward_norm(m))
//   output:     norm(x)
// RMSNorm everywhere (Gemma's weights as 1 + w); grouped-query attention (num_key_value_heads
// K/V heads shared by the query heads); causal attention (Qwen3, Gemma 3 unless bidirectional),
// a sliding window on the config's sliding layers with their own rotary base. Sequences are
// packed unpadded and each numbered from position 0: with causal masks a left-padded batch gives
// each real token the same keys, and rotary scores depend only on key - query distances.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/aligned_vector.h"
#include "cpu_engine/block_ops.h"
#include "cpu_engine/decoder_config.h"
#include "cpu_engine/engine_encoder.h"
#include "cpu_engine/lane_buffers.h"

namespace sk::cpu {

class DecoderEncoder final : public EngineEncoder {
 public:
  static Status Load(const std::string& model_dir, const EngineLoadOptions& options, std::unique_ptr<DecoderEncoder>* out);

  const model::EncoderConfig& config() const override { return shape_; }
  const DecoderConfig& decoder_config() const { return config_; }
  ThreadPool& pool() override { return *pool_; }
  Status Forward(const PackedSequences& batch, size_t lane, bool split, const float** hidden) override;

 private:
  struct Layer {
    bool sliding = false;
    // RMSNorm weights: before attention, on each query / key head, before the MLP, and Gemma's
    // after attention and after the MLP (empty otherwise).
    std::vector<float> input_norm, query_norm, key_norm, feed_forward_norm, post_attention_norm, post_feed_forward_norm;
    EngineLinear qkv;        // [q heads | k heads | v heads] rows
    EngineLinear output;     // o_proj
    EngineLinear gate_up;    // [gate | up] rows: the gated half first
    EngineLinear down;
  };
  // One lane's per-batch buffers, grown to its largest batch and reused.
  struct Workspace : LaneBuffers {
    GemmRows context_q;  // the attention output's rows, query-width (grouped-query attention)
    RotaryTable global_rotary, local_rotary;
  };

  DecoderEncoder() = default;
  Status LoadWeights(const model::WeightsFile& weights);
  void Reserve(Workspace& work, size_t lane, size_t tokens, size_t longest);
  RowNorm Norm(const std::vector<float>& weight) const;
  // Each query and key head normalized and rotated in place (Qwen3's order), one token's row.
  void PrepareHeads(const Workspace& work, const Layer& layer, size_t t, float* row) const;
  void Attend(Workspace& work, const PackedSequences& batch, const Layer& layer, size_t lane);
  // x += added (through Gemma's post norm when `post` is not empty, into the slot's row).
  void AddResidual(float* x, const float* added, const std::vector<float>& post, size_t slot);
  template <typename Fn>
  void ForRows(Workspace& work, size_t rows, Fn&& fn);

  DecoderConfig config_;
  model::EncoderConfig shape_;  // what the backend reads: hidden_size, vocab_size, positions
  EnginePrecision precision_ = EnginePrecision::kInt8;
  std::unique_ptr<ThreadPool> pool_;
  std::vector<float> word_, final_norm_;
  std::vector<Layer> layers_;
  std::vector<float> global_frequencies_, local_frequencies_;
  std::vector<Workspace> workspaces_;                    // one per lane
  std::vector<AlignedVector<float>> attention_scratch_;  // one per pool slot
  // Per pool slot: one GEMM block of [gate | up] rows, and one hidden-wide row for a norm's output.
  std::vector<std::vector<float>> feed_forward_blocks_, norm_rows_;
};

// Loads model_dir into a DecoderEncoder when its config.json names a decoder (qwen3,
// gemma3_text), setting *handled; else leaves *out alone with *handled false (an unreadable
// config.json too: the encoder path then reports it).
Status LoadDecoderEngine(const std::string& model_dir, const EngineLoadOptions& options, std::unique_ptr<EngineEncoder>* out,
                         bool* handled);

}  // namespace sk::cpu
