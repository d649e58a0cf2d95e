// A BERT-family encoder (BERT/MiniLM, RoBERTa/DistilRoBERTa, XLM-R, MPNet, DistilBERT) on the CPU, read from
// model.safetensors and config.json (the same files the CUDA engine reads), with its GEMMs at
// one of two precisions:
// - int8: every linear layer's weights quantized per output channel when the model loads,
//   activations per token before each GEMM, attention on AMX-BF16 where the CPU has it; on
//   AMX the GEMMs run at several times ONNX Runtime's VNNI int8 speed.
// - bf16x3: weights and activations split into two bf16 halves and multiplied on AMX-BF16 in
//   three products (fp32-accurate: PyTorch's 'high' float32 matmul precision), attention the
//   same way on AMX-BF16 (in fp32 without it); about twice what fp32 FMAs do per core.
// The rest (embeddings, LayerNorm, GELU, softmax) is float32. Batches are packed (no padding):
// each sequence attends over its own tokens only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/aligned_vector.h"
#include "core/status.h"
#include "core/thread_pool.h"
#include "cpu_engine/engine_encoder.h"
#include "cpu_engine/engine_linear.h"
#include "cpu_engine/lane_buffers.h"
#include "cpu_engine/masked_lm_maxima.h"
#include "model/encoder_config.h"
#include "model/safetensors_file.h"

namespace sk::cpu {

class CpuEncoder final : public EngineEncoder {
 public:
  using LoadOptions = EngineLoadOptions;
  static Status Load(const std::string& model_dir, const LoadOptions& options, std::unique_ptr<CpuEncoder>* out);

  const model::EncoderConfig& config() const override { return config_; }
  EnginePrecision precision() const { return precision_; }
  // The engine's threads. Its slots are lanes: a whole batch runs on one thread with that
  // lane's buffers, and lanes run different batches at once. Measured on 2 cores (MiniLM-L6,
  // 1,024 tokens per batch): two lanes gave 1.5x the throughput of one batch split over both
  // threads, whose every section waits on data the other core just wrote.
  ThreadPool& pool() override { return *pool_; }
  size_t lanes() const { return pool_->size(); }

  // Runs the batch on lane `lane` (its buffers; one batch per lane at a time) and points *hidden
  // at its last hidden state, [tokens, hidden_size], valid until the lane's next Forward. With
  // `split` the batch's sections are spread over the pool instead (one batch alone, e.g. a
  // single large call); only from outside the pool's tasks, on lane 0.
  Status Forward(const PackedSequences& batch, size_t lane, bool split, const float** hidden) override;

  // Whether the masked-LM head (BERT's cls.predictions, RoBERTa's lm_head) was asked for and
  // found: its transform and decoder at the encoder's precision.
  bool has_masked_lm_head() const override { return masked_lm_ != nullptr; }
  // SPLADE before its activation: maxima[s * vocab_size + v] = the largest masked-LM logit v over
  // sequence s's tokens (log1p(relu(·)) is monotonic, so the caller applies it to these alone).
  // The logits are made a tile at a time and never kept whole. Lanes and `split` as Forward.
  Status MaskedLmMaxima(const PackedSequences& batch, size_t lane, bool split, float* maxima) override;

 private:
  struct Layer {
    EngineLinear qkv, attention_out, intermediate, output;
    std::vector<float> attention_gamma, attention_beta, output_gamma, output_beta;
  };
  // One lane's per-batch buffers, grown to its largest batch and reused.
  using Workspace = LaneBuffers;
  struct MaskedLmHead {
    EngineLinear transform, decoder;
    std::vector<float> gamma, beta;
    kernels::GemmActivation activation;  // BERT's transform: hidden_act; RoBERTa's lm_head: erf GELU
  };
  CpuEncoder() = default;
  Status LoadWeights(const model::WeightsFile& weights, bool masked_lm_head);
  Status LoadMaskedLmHead(const model::SafetensorsFile& file);
  Status Validate(const PackedSequences& batch) const;
  // Forward's work, leaving the lane's workspace set up (its pool too, which the caller clears)
  // for a head to follow; with quantize_output the last layer's output is prepared into
  // hidden_q as well. Errors come before anything is set.
  Status Encode(const PackedSequences& batch, size_t lane, bool split, bool quantize_output);
  // The pool for a split batch, else null (inline). Even a short query gains: one block's GEMMs
  // split by columns (EngineLinear::Apply). MiniLM-L6, 1 x 12 tokens on 2 cores: int8 0.53 ->
  // 0.40 ms, bf16x3 1.74 -> 1.0 ms.
  ThreadPool* SplitPool(bool split) const;
  void Reserve(Workspace& work, size_t lane, size_t tokens, size_t longest);
  void Embed(Workspace& work, const PackedSequences& batch);
  void Attend(Workspace& work, const PackedSequences& batch, size_t lane);
  // The block finisher of the two GEMMs a residual LayerNorm follows: rows = LayerNorm(rows +
  // hidden), prepared into hidden_q (unless `quantize` is false: the last layer).
  EngineLinear::BlockDone AddAndNormalize(Workspace& work, const std::vector<float>& gamma, const std::vector<float>& beta,
                                          bool quantize) const;
  // x = LayerNorm(x + residual) · gamma + beta, then (when next is not null) prepared as row t
  // of the next GEMM's input.
  void NormalizeRow(float* x, const float* residual, const std::vector<float>& gamma, const std::vector<float>& beta,
                    GemmRows* next, size_t t) const;
  // Runs fn(begin, end) over row chunks: on the pool for a split batch, else inline.
  template <typename Fn>
  void ForRows(Workspace& work, size_t rows, Fn&& fn);

  model::EncoderConfig config_;
  EnginePrecision precision_ = EnginePrecision::kInt8;
  std::unique_ptr<ThreadPool> pool_;
  std::vector<float> word_, position_, token_type_, embed_gamma_, embed_beta_;
  std::vector<Layer> layers_;
  // MPNet: per head, the bias of every key - query distance in [-(span - 1), span - 1], with
  // kBiasPadding zeros on either side (the kernels read whole vectors); empty otherwise.
  std::vector<float> position_bias_;
  size_t bias_span_ = 0, bias_row_ = 0;
  std::vector<Workspace> workspaces_;                    // one per lane
  std::vector<AlignedVector<float>> attention_scratch_;  // one per pool slot
  // One GEMM block of the feed-forward activations per pool slot ([kBlockRows, intermediate]):
  // they are quantized for the next GEMM while in cache, never kept whole.
  std::vector<std::vector<float>> feed_forward_blocks_;
  std::unique_ptr<MaskedLmHead> masked_lm_;
  std::vector<float> zero_row_;                        // [hidden]: the transform's LayerNorm has no residual
  DecoderMaxima maxima_;  // SPLADE's pooling over masked_lm_'s decoder
};

}  // namespace sk::cpu
