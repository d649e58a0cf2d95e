// Fuzz target for native/model/encoder_config.cc, the CPU and CUDA engines' reader of
// config.json: any bytes are refused with a Status or give a shape the engines can index
// (positions inside the table, heads that divide the width, nothing truncated from int64).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "model/encoder_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sk::model::EncoderConfig config;
  const sk::Status status =
      sk::model::ParseEncoderConfig(std::string_view(reinterpret_cast<const char*>(data), size), "config.json", &config);
  if (!status.ok()) {
    if (status.code() != sk::StatusCode::kModelLoad || status.message().empty()) std::abort();
    return 0;
  }
  const bool shape_ok = config.hidden_size > 0 && config.num_heads > 0 && config.hidden_size % config.num_heads == 0 &&
                        config.head_dim() > 0 && config.num_layers > 0 && config.intermediate_size > 0 &&
                        config.vocab_size > 0 && config.type_vocab_size >= 0;
  // Position ids run from position_offset to position_offset + max_sequence() - 1: inside the table.
  const bool positions_ok = config.position_offset >= 0 && config.max_sequence() >= 1 &&
                            static_cast<int64_t>(config.position_offset) + config.max_sequence() <= config.max_position_embeddings;
  const bool mpnet_ok = config.model_type != "mpnet" || (config.relative_buckets >= 4 && config.relative_buckets <= 256);
  // ModernBERT: a window that is not negative, a global-layer period, one layer kind per layer when
  // listed, finite positive rotary bases and an even head size (rotate_half splits it in two).
  const sk::model::ModernBertSettings& modern = config.modernbert;
  const bool modernbert_ok =
      !config.is_modernbert() ||
      (modern.half_window >= 0 && modern.global_every >= 1 &&
       (modern.sliding.empty() || modern.sliding.size() == static_cast<size_t>(config.num_layers)) &&
       modern.global_rope_theta > 0.0 && modern.local_rope_theta > 0.0 && std::isfinite(modern.global_rope_theta) &&
       std::isfinite(modern.local_rope_theta) && config.head_dim() % 2 == 0);
  if (!shape_ok || !positions_ok || !mpnet_ok || !modernbert_ok) std::abort();
  return 0;
}
