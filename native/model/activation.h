// The feed-forward activation a transformer config names (config.json's hidden_act), shared by
// the CPU int8 engine and the CUDA engine. Plain C++ so nvcc and the core both include it.
#pragma once

namespace sk::model {

enum class Activation { kGeluErf, kGeluTanh, kRelu };

}  // namespace sk::model
