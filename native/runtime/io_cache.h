// The memory one model's runs reuse, so a steady stream of batches allocates nothing: the
// input OrtValues that wrap our padded id/mask/type/position buffers (kept per [batch, seq]
// shape, since an OrtValue's shape is fixed when it is made) and an output buffer we own,
// handed to ORT as a preallocated output so last_hidden_state is written straight into it. Buffers grow
// geometrically and every cached value made over an old buffer is dropped when one grows.
// Not thread-safe: one per model, used under that model's run lock (its owner thread).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "runtime/ort_c_api.h"

namespace sk::ort {

// What the cache has done since the model loaded: a steady state shows `runs` growing while
// `tensors_created` and `buffer_growths` stay put.
struct IoCounters {
  uint64_t runs = 0;
  uint64_t tensors_created = 0;   // OrtValues made (inputs and outputs)
  uint64_t buffer_growths = 0;    // input or output buffers reallocated
};

// A vector that grows to at least twice its old capacity, counting each reallocation.
template <typename T>
void GrowGeometric(std::vector<T>* buffer, size_t size, IoCounters* counters) {
  if (size > buffer->capacity()) {
    buffer->reserve(std::max(size, buffer->capacity() * 2));
    counters->buffer_growths += 1;
  }
}

class IoCache {
 public:
  // input_ids, attention_mask, token_type_ids, position_ids.
  static constexpr size_t kMaxInputs = 4;

  IoCache() = default;
  IoCache(const IoCache&) = delete;
  IoCache& operator=(const IoCache&) = delete;
  ~IoCache() { Clear(); }

  // The OrtValues of one [batch, seq] shape over one set of buffers; null where absent.
  struct Entry {
    const void* buffers[kMaxInputs] = {nullptr, nullptr, nullptr, nullptr};
    OrtValue* inputs[kMaxInputs] = {nullptr, nullptr, nullptr, nullptr};
    OrtValue* output = nullptr;
    const float* output_data = nullptr;
  };

  // The entry for this shape, created empty if new. Entries made over other buffers are
  // dropped first (the buffers moved), as are all of them once there are too many shapes.
  Entry* Find(const OrtApi* api, size_t batch, size_t seq, const void* const buffers[kMaxInputs]);
  // Drops every cached OrtValue (before a buffer they point into moves).
  void Clear();
  void set_api(const OrtApi* api) { api_ = api; }

  // The buffer ORT writes the output into, grown geometrically; growing it drops the cache.
  float* OutputBuffer(size_t elements);

  IoCounters counters;

 private:
  // Distinct shapes kept: batches of up to 32 rows and up to 512 tokens rarely need more, and
  // each entry holds only tensor headers, never data.
  static constexpr size_t kMaxEntries = 1024;

  const OrtApi* api_ = nullptr;
  std::map<std::pair<size_t, size_t>, Entry> entries_;
  std::vector<float> output_;
};

}  // namespace sk::ort
