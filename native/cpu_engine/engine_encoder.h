// What the CPU engine's backend (pipeline/cpu_engine_backend.cc) runs: one transformer encoder
// of any architecture the engine implements, over packed unpadded batches, a lane at a time.
// CpuEncoder runs the post-LN BERT family (BERT, RoBERTa, XLM-R, MPNet, DistilBERT);
// ModernBertEncoder the pre-norm ModernBERT. LoadEngineEncoder picks by config.json's model_type.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/aligned_vector.h"
#include "core/status.h"
#include "core/thread_pool.h"
#include "cpu_engine/engine_linear.h"
#include "model/encoder_config.h"
#include "model/safetensors_file.h"

namespace sk::cpu {

struct PackedSequences {
  const int32_t* ids = nullptr;
  const int32_t* type_ids = nullptr;  // may be null: all zeros
  const int32_t* offsets = nullptr;   // [num_seqs + 1], offsets[0] = 0
  size_t num_seqs = 0;
};

struct EngineLoadOptions {
  size_t threads = 0;            // lanes, as ThreadPool counts them (0: one per hardware thread)
  bool spin = true;              // idle lanes poll briefly for the next parallel section
  bool masked_lm_head = false;   // also load the masked-LM head (SPLADE), when the file has one
  EnginePrecision precision = EnginePrecision::kInt8;  // of every linear layer (and attention)
  // Empty: <model_dir>/model.safetensors. Otherwise the weights file, read through weights_table
  // when that is set (a pytorch_model.bin located by lib/torch-checkpoint.ts).
  std::string weights_path;
  std::string weights_table;

  model::WeightsFile Weights(const std::string& model_dir) const {
    return {weights_path.empty() ? model_dir + "/model.safetensors" : weights_path, weights_table};
  }
};

class EngineEncoder {
 public:
  virtual ~EngineEncoder() = default;
  virtual const model::EncoderConfig& config() const = 0;
  // The engine's threads; its slots are lanes (one batch per lane at a time).
  virtual ThreadPool& pool() = 0;
  size_t lanes() { return pool().size(); }
  // Runs the batch on lane `lane` and points *hidden at its last hidden state [tokens, hidden],
  // valid until the lane's next run; with `split` the batch is spread over the pool (lane 0).
  virtual Status Forward(const PackedSequences& batch, size_t lane, bool split, const float** hidden) = 0;
  // SPLADE's per-sequence maxima of the masked-LM logits (see CpuEncoder); engines without the
  // head answer an error.
  virtual bool has_masked_lm_head() const { return false; }
  virtual Status MaskedLmMaxima(const PackedSequences& batch, size_t lane, bool split, float* maxima);
};

// What every engine checks of a batch before running it: offsets from 0, each sequence 1 to
// config.max_sequence() tokens, every id inside the vocabulary.
Status ValidateSequences(const PackedSequences& batch, const model::EncoderConfig& config);

// Grows the attention scratch (one buffer per pool slot) for heads of up to `longest` tokens: every
// slot for a split batch, else only the lane's own (other lanes may be using theirs).
void GrowAttentionScratch(std::vector<AlignedVector<float>>& scratch, bool split, size_t lane, size_t longest, size_t head_dim);

// The encoder config.json's model_type names, loaded from model_dir (config.json,
// model.safetensors).
Status LoadEngineEncoder(const std::string& model_dir, const EngineLoadOptions& options, std::unique_ptr<EngineEncoder>* out);

}  // namespace sk::cpu
