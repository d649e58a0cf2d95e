// int8 dot products on Intel AMX tiles (TDPBSSD: 16 x 16 x 64 signed byte multiply-adds per
// instruction, about 8x VNNI on the CPUs that have it), with the top-k pre-filter fused:
// scores never leave the tiles except as a 1 KiB scratch per tile, and only the (query, row,
// score) triples at or above each query's threshold are written out. Internal to
// native/kernels; search.cc uses it at the AVX-512 level when AmxInt8Enabled().
//
// Corpus rows are the A operand, read in place (16 rows x 64 bytes per tile, any row stride);
// queries are the B operand, packed once per search in groups of 16 (AmxPackQueries).
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/cpu/vector_table.h"

namespace sk::kernels {

constexpr size_t kAmxQueryGroup = 16;   // queries per B tile
constexpr size_t kAmxStripRows = 16;    // corpus rows per A tile
constexpr size_t kAmxStepBytes = 64;    // bytes of a row per tile (one K step)
constexpr size_t kAmxMaxQueries = 64;   // queries per call: four groups, two B tiles at a time

// True when the CPU has AMX-TILE and AMX-INT8, the OS enables tile state and (on Linux)
// granted this process permission to use it; computed once. See also AmxInt8Enabled().
bool AmxInt8Supported();
// Supported, the active CPU level is AVX-512, and neither SENTENCEKIT_AMX=0 nor a test
// (kernels/testing.h) turned it off.
bool AmxInt8Enabled();
// AMX-BF16 (TDPBF16PS) and AVX512-BF16 too, under the same conditions as AmxInt8Enabled().
bool AmxBf16Enabled();

inline size_t AmxSteps(size_t dim) { return (dim + kAmxStepBytes - 1) / kAmxStepBytes; }
// Bytes of AmxPackQueries' output.
inline size_t AmxPackedQueryBytes(size_t num_queries, size_t dim) {
  return (num_queries + kAmxQueryGroup - 1) / kAmxQueryGroup * AmxSteps(dim) * 1024;
}
// packed[((group * steps + s) * 16 + c) * 64 + n * 4 + j] = queries[group * 16 + n][s * 64 + c * 4 + j],
// zero past `dim` and past `num_queries`: the VNNI layout TDPBSSD expects of B.
void AmxPackQueries(const int8_t* queries, size_t num_queries, size_t dim, int8_t* packed);

// Scores `rows` (a multiple of 16) corpus rows, each with AmxSteps(dim) * 64 readable bytes
// at `row_stride` apart (zero past dim), against m <= kAmxMaxQueries queries starting at packed group
// `first_group`. Writes to `hits` (room for m * rows) every (q, r, score) with r < valid_rows
// and score >= thresholds[q]; returns their count. Not reentrant per thread (tile state).
size_t AmxInt8ScoreSelect(const int8_t* packed_queries, size_t first_group, size_t m, const int8_t* corpus,
                          size_t row_stride, size_t rows, size_t valid_rows, size_t steps,
                          const int32_t* thresholds, Int32Hit* hits);

}  // namespace sk::kernels
