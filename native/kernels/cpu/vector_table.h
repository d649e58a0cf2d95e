// The per-CPU-level vector primitives behind pooling modes, similarity, quantized search and
// top-k search: small, unvalidated building blocks; the public entry points (pooling.h,
// similarity.h, search.h, quantize.h) validate sizes and split the work. Internal to
// native/kernels. Every level is cross-checked against the scalar table in test/native.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sk::kernels {

// One query's score for one corpus row that passed its query's threshold (kernels with the
// top-k pre-filter fused).
struct Int32Hit {
  uint32_t query;  // within the tile
  uint32_t row;    // within the block
  int32_t score;
};

struct VectorKernels {
  // y[i] += w * x[i]: one token's contribution to a weighted pooling sum.
  void (*axpy)(float w, const float* x, size_t n, float* y);
  float (*dot)(const float* a, const float* b, size_t n);
  // sum((a - b)^2) and sum(|a - b|), computed on the differences (as torch.cdist does for
  // small inputs), not via norms, so near-equal vectors keep their precision.
  float (*squared_l2)(const float* a, const float* b, size_t n);
  float (*l1)(const float* a, const float* b, size_t n);

  // scores[q * score_stride + r] = dot(queries[q], corpus[r]) for q < m <= kRowsMaxQueries,
  // r < n; both row-major with `dim` floats per row. Reads the corpus once per call: the
  // few-query (memory-bound) path.
  void (*dot_rows_f32)(const float* queries, size_t m, const float* corpus, size_t n, size_t dim,
                       float* scores, size_t score_stride);

  // The many-query (compute-bound) path: the corpus block is first packed so that
  // `pack_lanes` consecutive rows sit side by side, then each query row is broadcast
  // against whole vectors of rows, so no horizontal sums are needed.
  size_t pack_lanes;
  size_t packed_max_queries;
  // packed[(g * dim + d) * lanes + l] = corpus[(g * lanes + l) * dim + d], zero beyond n.
  void (*pack_f32)(const float* corpus, size_t n, size_t dim, float* packed);
  // scores[q * score_stride + g * lanes + l] for q < m <= packed_max_queries, g < groups.
  void (*dot_packed_f32)(const float* queries, size_t m, const float* packed, size_t groups,
                         size_t dim, float* scores, size_t score_stride);

  // int8 dot products in int32 (exact), `bytes` int8 per row.
  void (*dot_rows_i8)(const int8_t* queries, size_t m, const int8_t* corpus, size_t n,
                      size_t bytes, int32_t* scores, size_t score_stride);
  // Hamming distances between packed bit rows of `bytes` bytes.
  void (*hamming_rows)(const uint8_t* queries, size_t m, const uint8_t* corpus, size_t n,
                       size_t bytes, int32_t* distances, size_t score_stride);

  // The positions r < n with scores[r] >= threshold, written to `positions` (room for n);
  // returns their count. The top-k pre-filter: most blocks yield none once the top-k fills.
  size_t (*select_at_least_f32)(const float* scores, size_t n, float threshold, uint32_t* positions);
  size_t (*select_at_least_i32)(const int32_t* scores, size_t n, int32_t threshold, uint32_t* positions);

  // Optional packed kernels for many queries over int8 and bit corpora (nullptr where a
  // level has none; the row kernels above then serve every batch size).
  //
  // int8: `i8_lanes` rows side by side per group, 4 bytes per row per chunk, stored as
  // unsigned (byte ^ 0x80) for VNNI: packed[((g * chunks + c) * lanes + l) * 4 + j] =
  // corpus[(g * lanes + l) * bytes + c * 4 + j] ^ 0x80, padding 0x80 (a zero value).
  size_t i8_lanes;
  size_t i8_packed_max_queries;
  void (*pack_i8)(const int8_t* corpus, size_t n, size_t bytes, uint8_t* packed);
  // Queries are zero-padded to chunks * 4 bytes (query_stride); query_sums[q] = sum of
  // query q's bytes, to take off the 128 * sum the unsigned shift adds.
  void (*dot_packed_i8)(const int8_t* queries, size_t query_stride, const int32_t* query_sums, size_t m,
                        const uint8_t* packed, size_t groups, size_t chunks, int32_t* scores, size_t score_stride);
  // bits: `bits_lanes` rows side by side per group, one 64-bit word per row per step:
  // packed[(g * words + w) * lanes + l] = word w of row g * lanes + l, zero-padded.
  size_t bits_lanes;
  size_t bits_packed_max_queries;
  void (*pack_bits)(const uint8_t* corpus, size_t n, size_t bytes, uint64_t* packed);
  // Queries are zero-padded to words * 8 bytes (query_stride). Writes NEGATED distances
  // (higher is nearer), the form the top-k ranks, to save a pass over the scores.
  void (*hamming_packed)(const uint8_t* queries, size_t query_stride, size_t m, const uint64_t* packed,
                         size_t groups, size_t words, int32_t* negated_distances, size_t score_stride);
  // hamming_packed with the top-k pre-filter fused (nullptr where a level has none): writes
  // only the hits (q, r, negated distance) with r < valid_rows and negated distance >=
  // thresholds[q] (room for m * valid_rows); returns their count.
  size_t (*hamming_packed_select)(const uint8_t* queries, size_t query_stride, size_t m, const uint64_t* packed,
                                  size_t groups, size_t words, size_t valid_rows, const int32_t* thresholds,
                                  Int32Hit* hits) = nullptr;
};

// The query tile the row kernels accept at once.
constexpr size_t kRowsMaxQueries = 4;

const VectorKernels& ScalarVectorKernels();
const VectorKernels& Avx2VectorKernels();
const VectorKernels& Avx512VectorKernels();
// aarch64 (vector_neon.cc, vector_dotprod.cc; the i8mm level uses the dotprod table).
const VectorKernels& NeonVectorKernels();
const VectorKernels& DotprodVectorKernels();
const VectorKernels& VectorKernelsFor(int level);
// The table of the active level (ActiveCpuLevel()).
const VectorKernels& ActiveVectorKernels();

}  // namespace sk::kernels
