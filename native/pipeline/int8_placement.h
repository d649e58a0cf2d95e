// cpuEngine 'int8': sentencekit's own int8 engine (cpu_engine/) runs the transformer from
// model_dir's model.safetensors and config.json instead of ONNX Runtime.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "core/status.h"
#include "cpu_engine/int8_encoder.h"

namespace sk::pipeline {

struct Int8Placement {
  bool enabled = false;
  std::string model_dir;
  size_t threads = 0;          // its lanes (0: one per hardware thread)
  bool allow_spinning = true;  // lanes poll briefly between parallel sections (allowSpinning)
};

// Loads the int8 engine for `int8` (with its masked-LM head when asked: ERR_MODEL_LOAD without
// one) and checks that the model has positions for `max_length` tokens (ERR_MODEL_LOAD
// otherwise), as LoadCudaEncoder does for the CUDA engine.
Status LoadInt8Encoder(const Int8Placement& int8, size_t max_length, bool masked_lm_head,
                       std::unique_ptr<cpu::Int8Encoder>* out);

}  // namespace sk::pipeline
