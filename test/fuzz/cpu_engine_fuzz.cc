// Fuzz target for the CPU engine's loading path: config.json (model/encoder_config.cc) and
// model.safetensors (model/safetensors_file.cc) as a hostile Hub repository would bring them,
// read by CpuEncoder::Load at both precisions, and a model that loads run on a short batch.
// The config may promise shapes the file does not hold (huge layer counts, widths): nothing
// may be allocated from the config alone. Input: config.json, a "\n--safetensors--\n"
// separator, then model.safetensors.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "cpu_engine/cpu_encoder.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto [config, weights] = skfuzz::SplitAt(input, "\n--safetensors--\n");
  const std::string& dir = skfuzz::ScratchDir();
  skfuzz::WriteFile(dir + "/config.json", config);
  skfuzz::WriteFile(dir + "/model.safetensors", weights);
  sk::cpu::CpuEncoder::LoadOptions options;
  options.threads = 1;  // libFuzzer runs one input at a time; lanes are the sanitizer tests' job
  options.spin = false;
  options.masked_lm_head = size % 2 == 0;
  options.precision = size % 3 == 0 ? sk::cpu::EnginePrecision::kBf16x3 : sk::cpu::EnginePrecision::kInt8;
  std::unique_ptr<sk::cpu::CpuEncoder> engine;
  if (!sk::cpu::CpuEncoder::Load(dir, options, &engine).ok()) return 0;
  const sk::model::EncoderConfig& shape = engine->config();
  // Two short sequences of ids inside the vocabulary, as the tokenizer would hand them over.
  const int32_t length = std::min(3, shape.max_sequence());
  std::vector<int32_t> ids, type_ids, offsets = {0};
  for (int s = 0; s < 2; ++s) {
    for (int32_t t = 0; t < length; ++t) {
      ids.push_back(static_cast<int32_t>((s * 7 + t * 3) % shape.vocab_size));
      type_ids.push_back(s % std::max(1, shape.type_vocab_size));
    }
    offsets.push_back(static_cast<int32_t>(ids.size()));
  }
  sk::cpu::PackedSequences batch;
  batch.ids = ids.data();
  batch.type_ids = type_ids.data();
  batch.offsets = offsets.data();
  batch.num_seqs = 2;
  const float* hidden = nullptr;
  if (engine->Forward(batch, 0, false, &hidden).ok() && hidden == nullptr) std::abort();
  if (engine->has_masked_lm_head()) {
    std::vector<float> maxima(2 * static_cast<size_t>(shape.vocab_size));
    (void)engine->MaskedLmMaxima(batch, 0, false, maxima.data());
  }
  return 0;
}
