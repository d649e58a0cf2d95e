// The tile shape every AMX kernel here uses: palette 1, eight tiles of 16 rows x 64 bytes
// (int8: 16 x 64 values; bf16: 16 x 32; int32/fp32 accumulators: 16 x 16). Include only from
// sources compiled with AMX flags (*_amx.cc).
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace sk::kernels {

struct alignas(64) AmxTileConfig {
  uint8_t palette = 1;
  uint8_t start_row = 0;
  uint8_t reserved[14] = {};
  uint16_t bytes_per_row[16] = {};
  uint8_t rows[16] = {};
};

// Loads the configuration (LDTILECFG) on the calling thread; tile state is per thread.
inline void ConfigureFullTiles() {
  AmxTileConfig config;
  for (int t = 0; t < 8; ++t) {
    config.bytes_per_row[t] = 64;
    config.rows[t] = 16;
  }
  _tile_loadconfig(&config);
}

}  // namespace sk::kernels
