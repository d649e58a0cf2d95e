#include "cpu_engine/engine_encoder.h"

#include "cpu_engine/cpu_encoder.h"
#include "cpu_engine/decoder_encoder.h"
#include "cpu_engine/encoder_ops.h"
#include "cpu_engine/modernbert_encoder.h"

namespace sk::cpu {

Status EngineEncoder::MaskedLmMaxima(const PackedSequences&, size_t, bool, float*) {
  return InvalidArgument("the " + config().model_type + " engine has no masked-LM head for SPLADE");
}

Status ValidateSequences(const PackedSequences& batch, const model::EncoderConfig& config) {
  if (batch.num_seqs == 0 || batch.offsets == nullptr || batch.ids == nullptr) {
    return InvalidArgument("the CPU engine was given an empty batch");
  }
  if (batch.offsets[0] != 0) return InvalidArgument("sequence offsets must start at 0");
  for (size_t s = 0; s < batch.num_seqs; ++s) {
    const int32_t length = batch.offsets[s + 1] - batch.offsets[s];
    if (length <= 0 || length > config.max_sequence()) {
      return InvalidArgument("sequence " + std::to_string(s) + " has " + std::to_string(length) +
                             " tokens; the model takes 1 to " + std::to_string(config.max_sequence()));
    }
  }
  for (int32_t t = 0; t < batch.offsets[batch.num_seqs]; ++t) {
    if (batch.ids[t] < 0 || batch.ids[t] >= config.vocab_size) {
      return InvalidArgument("token id " + std::to_string(batch.ids[t]) + " is outside the vocabulary");
    }
  }
  return Status::Ok();
}

void GrowAttentionScratch(std::vector<AlignedVector<float>>& scratch, bool split, size_t lane, size_t longest, size_t head_dim) {
  const size_t floats = AttentionScratchFloats(longest, head_dim);
  for (size_t slot = 0; slot < scratch.size(); ++slot) {
    if ((split || slot == lane) && scratch[slot].size() < floats) scratch[slot].resize(floats);
  }
}

Status LoadEngineEncoder(const std::string& model_dir, const EngineLoadOptions& options, std::unique_ptr<EngineEncoder>* out) {
  // Decoders (qwen3, gemma3_text) have their own config reader: EncoderConfig refuses them.
  bool decoder = false;
  SK_RETURN_IF_ERROR(LoadDecoderEngine(model_dir, options, out, &decoder));
  if (decoder) return Status::Ok();
  model::EncoderConfig config;
  SK_RETURN_IF_ERROR(model::ReadEncoderConfig(model_dir + "/config.json", &config));
  if (config.is_modernbert()) {
    std::unique_ptr<ModernBertEncoder> engine;
    SK_RETURN_IF_ERROR(ModernBertEncoder::Load(model_dir, config, options, &engine));
    *out = std::move(engine);
    return Status::Ok();
  }
  std::unique_ptr<CpuEncoder> engine;
  SK_RETURN_IF_ERROR(CpuEncoder::Load(model_dir, options, &engine));
  *out = std::move(engine);
  return Status::Ok();
}

}  // namespace sk::cpu
