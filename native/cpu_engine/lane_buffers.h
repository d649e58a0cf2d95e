// One lane's per-batch buffers, as the encoder engines (CpuEncoder, ModernBertEncoder,
// DecoderEncoder) keep them: grown to the lane's largest batch and reused, never shrunk, so a
// steady stream of batches allocates nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/thread_pool.h"
#include "cpu_engine/engine_linear.h"

namespace sk::cpu {

struct LaneBuffers {
  size_t tokens = 0;
  ThreadPool* pool = nullptr;  // set while a split batch runs
  std::vector<float> hidden, projected, qkv, context;
  std::vector<int32_t> positions;
  GemmRows hidden_q, intermediate_q;

  // Room for `tokens` rows: hidden and projected of `width` floats, qkv of `qkv_width`, context
  // of `context_width`; hidden_q and intermediate_q (`intermediate` wide) at `precision`.
  void Reserve(EnginePrecision precision, size_t tokens, size_t width, size_t qkv_width, size_t context_width,
               size_t intermediate) {
    if (hidden.size() < tokens * width) {
      hidden.resize(tokens * width);
      projected.resize(tokens * width);
    }
    if (qkv.size() < tokens * qkv_width) qkv.resize(tokens * qkv_width);
    if (context.size() < tokens * context_width) context.resize(tokens * context_width);
    positions.resize(tokens);
    hidden_q.Reserve(precision, tokens, width);
    intermediate_q.Reserve(precision, tokens, intermediate);
  }
};

}  // namespace sk::cpu
