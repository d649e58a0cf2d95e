// Fuzz target for native/model/safetensors_file.cc (the header and its offsets) and the
// engines' lookups over it (head_names.cc): any bytes open or fail with a Status, and every
// tensor that reads back as float32 has exactly as many values as its shape says.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "model/head_names.h"
#include "model/safetensors_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sk::model::SafetensorsFile file;
  if (!file.Parse(std::string(reinterpret_cast<const char*>(data), size), "fuzz.safetensors").ok()) return 0;
  const std::string prefix = sk::model::FindBasePrefix(file);
  sk::model::ClassificationHeadNames classification;
  (void)sk::model::FindClassificationHead(file, prefix, &classification);
  sk::model::MaskedLmHeadNames masked_lm;
  (void)sk::model::FindMaskedLmHead(file, &masked_lm);
  // Every entry read at its own shape, and at a shape that differs from it.
  for (const auto& [name, stored] : file.entries()) {
    const sk::model::SafetensorsEntry* entry = file.Find(name);
    if (entry != &stored) std::abort();
    std::vector<float> values;
    if (file.ReadFloat32(name, entry->shape, &values).ok()) {
      size_t count = 1;
      for (int64_t dim : entry->shape) count *= static_cast<size_t>(dim);
      if (values.size() != count) std::abort();
    }
    std::vector<int64_t> other = entry->shape;
    other.push_back(1);
    if (file.ReadFloat32(name, other, &values).ok()) std::abort();  // the shape must match
  }
  return 0;
}
