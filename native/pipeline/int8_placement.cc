#include "pipeline/int8_placement.h"

namespace sk::pipeline {

Status LoadInt8Encoder(const Int8Placement& int8, size_t max_length, bool masked_lm_head,
                       std::unique_ptr<cpu::Int8Encoder>* out) {
  std::unique_ptr<cpu::Int8Encoder> engine;
  SK_RETURN_IF_ERROR(cpu::Int8Encoder::Load(int8.model_dir, {int8.threads, int8.allow_spinning, masked_lm_head}, &engine));
  if (masked_lm_head && !engine->has_masked_lm_head()) {
    return ModelLoadError(int8.model_dir + "/model.safetensors has no masked-LM head (cls.predictions or lm_head) for SPLADE");
  }
  const int positions = engine->config().max_sequence();
  if (max_length > static_cast<size_t>(positions)) {
    return ModelLoadError(int8.model_dir + ": max_seq_length " + std::to_string(max_length) + " exceeds the model's " +
                          std::to_string(positions) + " positions");
  }
  *out = std::move(engine);
  return Status::Ok();
}

}  // namespace sk::pipeline
