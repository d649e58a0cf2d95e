// Top-k selection on the device for semantic search, with the CPU search's result contract:
// best score first, ties to the lower corpus id, NaN scores ranked last (as -inf).
//
// Two launches per corpus chunk: SelectTopKFromScores reduces each (query, segment) of a score
// matrix to its k best, then MergeTopK folds those partial lists (and the running list of the
// chunks before) into one list per query. Neither keeps more than a block's shared buffer.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace sk::cuda {

// One candidate. Unused slots hold kNoHit (score -inf, id INT32_MAX), which ranks after every
// real hit, so padded lists merge without counts.
struct TopKEntry {
  float score;
  int32_t id;
};

// The largest k the device kernels take (their shared buffer is sized for it).
constexpr int kMaxDeviceTopK = 1024;
// Scores one block of SelectTopKFromScores reads per query.
constexpr int kTopKSegment = 8192;

inline int TopKSegments(int columns) { return (columns + kTopKSegment - 1) / kTopKSegment; }

// scores: row-major [num_queries, columns] (leading dimension ld), float or int32 (exact int8
// dot products). The score of (q, c) is scores[q, c] * (column_scale ? column_scale[c] : 1),
// with id id_base + c. Query q's lists go to out[q * out_stride + s * k, + k) for segment s of
// TopKSegments(columns), each best first; out_stride >= TopKSegments(columns) * k.
template <typename Score>
cudaError_t SelectTopKFromScores(const Score* scores, int num_queries, int columns, size_t ld,
                                 const float* column_scale, int32_t id_base, int k, TopKEntry* out,
                                 size_t out_stride, cudaStream_t stream);

// Query q's candidates are in[q * in_stride, + per_query), in any order (kNoHit slots allowed);
// out: [num_queries, k], best first. in and out must not overlap.
cudaError_t MergeTopK(const TopKEntry* in, int num_queries, int per_query, size_t in_stride, int k, TopKEntry* out,
                      cudaStream_t stream);

// Every entry of out[count] = kNoHit.
cudaError_t FillNoHits(TopKEntry* out, size_t count, cudaStream_t stream);

}  // namespace sk::cuda
