// cpuEngine 'int8': sentencekit's own int8 engine (cpu_engine/) runs the transformer from
// model_dir's model.safetensors and config.json instead of ONNX Runtime.
#pragma once

#include <cstddef>
#include <string>

namespace sk::pipeline {

struct Int8Placement {
  bool enabled = false;
  std::string model_dir;
  size_t threads = 0;          // its lanes (0: one per hardware thread)
  bool allow_spinning = true;  // lanes poll briefly between parallel sections (allowSpinning)
};

}  // namespace sk::pipeline
