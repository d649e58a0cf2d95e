// cpuEngine 'int8' or 'bf16x3': sentencekit's own CPU engine (cpu_engine/) runs the transformer
// from model_dir's model.safetensors and config.json instead of ONNX Runtime, with int8 or
// bf16x3 (fp32-accurate) GEMMs.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "core/status.h"
#include "cpu_engine/cpu_encoder.h"

namespace sk::pipeline {

struct CpuEnginePlacement {
  bool enabled = false;
  cpu::EnginePrecision precision = cpu::EnginePrecision::kInt8;
  std::string model_dir;
  size_t threads = 0;          // its lanes (0: one per hardware thread)
  bool allow_spinning = true;  // lanes poll briefly between parallel sections (allowSpinning)
};

// Loads the CPU engine for `cpu_engine` (with its masked-LM head when asked: ERR_MODEL_LOAD
// without one). A max_seq_length past the model's positions is accepted, as in Python; each
// call checks its inputs instead (pipeline/position_limit.h).
Status LoadCpuEncoder(const CpuEnginePlacement& cpu_engine, bool masked_lm_head, std::unique_ptr<cpu::CpuEncoder>* out);

// The longest input the engine has positions for.
inline size_t EnginePositions(const cpu::CpuEncoder& engine) { return static_cast<size_t>(engine.config().max_sequence()); }

}  // namespace sk::pipeline
