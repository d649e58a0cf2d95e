#include "pipeline/cpu_engine_placement.h"

namespace sk::pipeline {

Status LoadCpuEncoder(const CpuEnginePlacement& cpu_engine, bool masked_lm_head, std::unique_ptr<cpu::CpuEncoder>* out) {
  std::unique_ptr<cpu::CpuEncoder> engine;
  SK_RETURN_IF_ERROR(cpu::CpuEncoder::Load(cpu_engine.model_dir, {cpu_engine.threads, cpu_engine.allow_spinning, masked_lm_head, cpu_engine.precision}, &engine));
  if (masked_lm_head && !engine->has_masked_lm_head()) {
    return ModelLoadError(cpu_engine.model_dir + "/model.safetensors has no masked-LM head (cls.predictions or lm_head) for SPLADE");
  }
  *out = std::move(engine);
  return Status::Ok();
}

}  // namespace sk::pipeline
