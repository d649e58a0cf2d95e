// AMX int8 kernel: 2 x 2 register blocking (two 16-row corpus strips x two 16-query groups,
// four int32 accumulator tiles), the tile budget of eight; then each accumulator tile is
// stored to a 1 KiB scratch that stays in L1 and compared 16 queries at a time against the
// queries' thresholds, so the top-k sees only the few scores that can enter it.
#include "kernels/cpu/int8_amx.h"

#include <immintrin.h>

#include <cstring>

namespace sk::kernels {
namespace {

// The 64-byte LDTILECFG operand, palette 1.
struct alignas(64) TileConfig {
  uint8_t palette = 1;
  uint8_t start_row = 0;
  uint8_t reserved[14] = {};
  uint16_t bytes_per_row[16] = {};
  uint8_t rows[16] = {};
};

// Tiles 0-3: accumulators C[strip][group] = tile 2 * strip + group; 4-5: corpus strips; 6-7: query groups.
void ConfigureTiles() {
  TileConfig config;
  for (int t = 0; t < 8; ++t) {
    config.bytes_per_row[t] = 64;
    config.rows[t] = 16;
  }
  _tile_loadconfig(&config);
}

// `next`: the strips that follow (the same step's bytes of their 32 rows are prefetched into
// L1 during each step; tile loads from L2 at a row stride stall otherwise), or null.
template <int Strips, int Groups>
inline void MultiplyStrips(const int8_t* corpus, size_t row_stride, const int8_t* queries, size_t steps,
                           const int8_t* next) {
  _tile_zero(0);
  if constexpr (Groups > 1) _tile_zero(1);
  if constexpr (Strips > 1) _tile_zero(2);
  if constexpr (Strips > 1 && Groups > 1) _tile_zero(3);
  const size_t group_bytes = steps * 1024;
  for (size_t s = 0; s < steps; ++s) {
    if (next != nullptr) {
      for (size_t r = 0; r < 2 * kAmxStripRows; ++r) _mm_prefetch(reinterpret_cast<const char*>(next + r * row_stride + s * kAmxStepBytes), _MM_HINT_T0);
    }
    _tile_loadd(4, corpus + s * kAmxStepBytes, row_stride);
    if constexpr (Strips > 1) _tile_loadd(5, corpus + kAmxStripRows * row_stride + s * kAmxStepBytes, row_stride);
    _tile_loadd(6, queries + s * 1024, 64);
    if constexpr (Groups > 1) _tile_loadd(7, queries + group_bytes + s * 1024, 64);
    _tile_dpbssd(0, 4, 6);
    if constexpr (Groups > 1) _tile_dpbssd(1, 4, 7);
    if constexpr (Strips > 1) _tile_dpbssd(2, 5, 6);
    if constexpr (Strips > 1 && Groups > 1) _tile_dpbssd(3, 5, 7);
  }
}

// Row r of an accumulator tile holds one corpus row's scores for the group's 16 queries.
inline size_t SelectTile(const int32_t* tile, size_t row_base, size_t valid_rows, uint32_t query_base,
                         __m512i thresholds, __mmask16 live, Int32Hit* hits) {
  size_t count = 0;
  const size_t rows = valid_rows > row_base ? (valid_rows - row_base < kAmxStripRows ? valid_rows - row_base : kAmxStripRows) : 0;
  for (size_t r = 0; r < rows; ++r) {
    const __m512i scores = _mm512_loadu_si512(tile + r * 16);
    __mmask16 pass = _mm512_mask_cmpge_epi32_mask(live, scores, thresholds);
    if (pass == 0) continue;
    alignas(64) int32_t values[16];
    _mm512_store_si512(values, scores);
    while (pass != 0) {
      const unsigned n = static_cast<unsigned>(__builtin_ctz(pass));
      pass = static_cast<__mmask16>(pass & (pass - 1));
      hits[count++] = {query_base + n, static_cast<uint32_t>(row_base + r), values[n]};
    }
  }
  return count;
}

size_t ScoreSelect(const int8_t* packed_queries, size_t first_group, size_t m, const int8_t* corpus, size_t row_stride,
                   size_t rows, size_t valid_rows, size_t steps, const int32_t* thresholds, Int32Hit* hits) {
  ConfigureTiles();
  alignas(64) int32_t tiles[4][256];
  const int8_t* queries = packed_queries + first_group * steps * 1024;
  const size_t groups = m > kAmxQueryGroup ? 2 : 1;
  __m512i limit[2];
  __mmask16 live[2];
  for (size_t g = 0; g < 2; ++g) {
    const size_t first = g * kAmxQueryGroup;
    const size_t count = m > first ? (m - first < 16 ? m - first : 16) : 0;
    live[g] = static_cast<__mmask16>((1u << count) - 1u);
    limit[g] = _mm512_maskz_loadu_epi32(live[g], thresholds + first);
  }
  const auto select = [&](int tile, size_t row_base, int group, Int32Hit* out) {
    return SelectTile(tiles[tile], row_base, valid_rows, static_cast<uint32_t>(group * 16), limit[group], live[group], out);
  };
  size_t found = 0;
  size_t r = 0;
  for (; r + 2 * kAmxStripRows <= rows; r += 2 * kAmxStripRows) {
    const int8_t* strip = corpus + r * row_stride;
    const int8_t* next = r + 4 * kAmxStripRows <= rows ? strip + 2 * kAmxStripRows * row_stride : nullptr;
    if (groups == 2) {
      MultiplyStrips<2, 2>(strip, row_stride, queries, steps, next);
      _tile_stored(0, tiles[0], 64);
      _tile_stored(1, tiles[1], 64);
      _tile_stored(2, tiles[2], 64);
      _tile_stored(3, tiles[3], 64);
      found += select(0, r, 0, hits + found);
      found += select(1, r, 1, hits + found);
      found += select(2, r + 16, 0, hits + found);
      found += select(3, r + 16, 1, hits + found);
    } else {
      MultiplyStrips<2, 1>(strip, row_stride, queries, steps, next);
      _tile_stored(0, tiles[0], 64);
      _tile_stored(2, tiles[2], 64);
      found += select(0, r, 0, hits + found);
      found += select(2, r + 16, 0, hits + found);
    }
  }
  if (r < rows) {  // one strip left
    const int8_t* strip = corpus + r * row_stride;
    if (groups == 2) {
      MultiplyStrips<1, 2>(strip, row_stride, queries, steps, nullptr);
      _tile_stored(0, tiles[0], 64);
      _tile_stored(1, tiles[1], 64);
      found += select(0, r, 0, hits + found);
      found += select(1, r, 1, hits + found);
    } else {
      MultiplyStrips<1, 1>(strip, row_stride, queries, steps, nullptr);
      _tile_stored(0, tiles[0], 64);
      found += select(0, r, 0, hits + found);
    }
  }
  // Leaving tile state in use makes every context switch save 8 KiB more.
  _tile_release();
  return found;
}

}  // namespace

void AmxPackQueries(const int8_t* queries, size_t num_queries, size_t dim, int8_t* packed) {
  const size_t steps = AmxSteps(dim);
  const size_t groups = (num_queries + kAmxQueryGroup - 1) / kAmxQueryGroup;
  std::memset(packed, 0, AmxPackedQueryBytes(num_queries, dim));
  for (size_t g = 0; g < groups; ++g) {
    for (size_t n = 0; n < kAmxQueryGroup && g * kAmxQueryGroup + n < num_queries; ++n) {
      const int8_t* query = queries + (g * kAmxQueryGroup + n) * dim;
      for (size_t d = 0; d < dim; ++d) {
        const size_t s = d / kAmxStepBytes, c = (d % kAmxStepBytes) / 4, j = d % 4;
        packed[((g * steps + s) * 16 + c) * 64 + n * 4 + j] = query[d];
      }
    }
  }
}

size_t AmxInt8ScoreSelect(const int8_t* packed_queries, size_t first_group, size_t m, const int8_t* corpus,
                          size_t row_stride, size_t rows, size_t valid_rows, size_t steps,
                          const int32_t* thresholds, Int32Hit* hits) {
  return ScoreSelect(packed_queries, first_group, m, corpus, row_stride, rows, valid_rows, steps, thresholds, hits);
}

}  // namespace sk::kernels
