// AMX int8 kernel: 2 x 2 register blocking (two 16-row corpus strips x two 16-query groups,
// four int32 accumulator tiles), the tile budget of eight, over up to four query groups per
// pair of strips; then each accumulator tile is stored to a 1 KiB scratch that stays in L1
// and compared 16 queries at a time against the queries' thresholds, so the top-k sees only
// the few scores that can enter it.
#include "kernels/cpu/int8_amx.h"

#include "kernels/cpu/amx_tiles.h"
#include "kernels/int8_gemm.h"

#include <immintrin.h>

#include <cstring>

namespace sk::kernels {
namespace {

// Tiles 0-3: accumulators C[strip][group] = tile 2 * strip + group; 4-5: corpus strips; 6-7: query groups.
// C[strip][group] += A[strip] . B[group] over every 64-byte step. (Prefetching the next
// strips into L1 measured slower: 0.24 against 0.21 CPU-ns per pair of 384 bytes.)
template <int Strips, int Groups>
inline void MultiplyStrips(const int8_t* corpus, size_t row_stride, const int8_t* queries, size_t steps) {
  _tile_zero(0);
  if constexpr (Groups > 1) _tile_zero(1);
  if constexpr (Strips > 1) _tile_zero(2);
  if constexpr (Strips > 1 && Groups > 1) _tile_zero(3);
  const size_t group_bytes = steps * 1024;
  for (size_t s = 0; s < steps; ++s) {
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

// Strip pairs outside, query groups inside: the 32 corpus rows just loaded from L2 serve up
// to four groups from L1, where one group pair per call read them from L2 every time (1,024
// queries over 672 x 384 bytes, one thread: 0.21 against 0.25 CPU-ns per pair).
size_t ScoreSelect(const int8_t* packed_queries, size_t first_group, size_t m, const int8_t* corpus, size_t row_stride,
                   size_t rows, size_t valid_rows, size_t steps, const int32_t* thresholds, Int32Hit* hits) {
  constexpr size_t kMaxGroups = kAmxMaxQueries / kAmxQueryGroup;
  ConfigureFullTiles();
  alignas(64) int32_t tiles[4][256];
  const size_t group_bytes = steps * 1024;
  const int8_t* queries = packed_queries + first_group * group_bytes;
  const size_t groups = (m + kAmxQueryGroup - 1) / kAmxQueryGroup;
  __m512i limit[kMaxGroups];
  __mmask16 live[kMaxGroups];
  for (size_t g = 0; g < groups; ++g) {
    const size_t first = g * kAmxQueryGroup;
    const size_t count = m - first < kAmxQueryGroup ? m - first : kAmxQueryGroup;
    live[g] = static_cast<__mmask16>((1u << count) - 1u);
    limit[g] = _mm512_maskz_loadu_epi32(live[g], thresholds + first);
  }
  size_t found = 0;
  // Keeps the passing scores of stored accumulator `tile`: corpus rows from `row_base`, query group `group`.
  // (_tile_stored takes the tile number as a literal, so each call site stores its own.)
  const auto keep = [&](int tile, size_t row_base, size_t group) {
    found += SelectTile(tiles[tile], row_base, valid_rows, static_cast<uint32_t>(group * kAmxQueryGroup), limit[group],
                        live[group], hits + found);
  };
  for (size_t r = 0; r < rows; r += 2 * kAmxStripRows) {
    const int8_t* strip = corpus + r * row_stride;
    const bool pair = r + 2 * kAmxStripRows <= rows;
    size_t g = 0;
    for (; g + 2 <= groups; g += 2) {
      if (pair) MultiplyStrips<2, 2>(strip, row_stride, queries + g * group_bytes, steps);
      else MultiplyStrips<1, 2>(strip, row_stride, queries + g * group_bytes, steps);
      _tile_stored(0, tiles[0], 64);
      _tile_stored(1, tiles[1], 64);
      if (pair) {
        _tile_stored(2, tiles[2], 64);
        _tile_stored(3, tiles[3], 64);
      }
      keep(0, r, g);
      keep(1, r, g + 1);
      if (pair) {
        keep(2, r + kAmxStripRows, g);
        keep(3, r + kAmxStripRows, g + 1);
      }
    }
    if (g < groups) {
      if (pair) MultiplyStrips<2, 1>(strip, row_stride, queries + g * group_bytes, steps);
      else MultiplyStrips<1, 1>(strip, row_stride, queries + g * group_bytes, steps);
      _tile_stored(0, tiles[0], 64);
      if (pair) _tile_stored(2, tiles[2], 64);
      keep(0, r, g);
      if (pair) keep(2, r + kAmxStripRows, g);
    }
  }
  // Leaving tile state in use makes every context switch save 8 KiB more.
  _tile_release();
  return found;
}

}  // namespace

void AmxPackQueries(const int8_t* queries, size_t num_queries, size_t dim, int8_t* packed) {
  // The B layout of every TDPBSSD here: the int8 GEMM's packed weights (compiled for any CPU).
  PackGemmWeights(queries, num_queries, dim, packed);
}

size_t AmxInt8ScoreSelect(const int8_t* packed_queries, size_t first_group, size_t m, const int8_t* corpus,
                          size_t row_stride, size_t rows, size_t valid_rows, size_t steps,
                          const int32_t* thresholds, Int32Hit* hits) {
  return ScoreSelect(packed_queries, first_group, m, corpus, row_stride, rows, valid_rows, steps, thresholds, hits);
}

}  // namespace sk::kernels
