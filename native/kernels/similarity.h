// sentence-transformers' four similarity functions, as full matrices (a x b) and pairwise
// (row i of a with row i of b): cosine (cos_sim), dot (dot_score), euclidean
// (-||a - b||_2) and manhattan (-||a - b||_1).
#pragma once

#include <cstddef>

#include "core/status.h"

namespace sk {
class ThreadPool;
}

namespace sk::kernels {

enum class SimilarityFunction { kCosine, kDot, kEuclidean, kManhattan };

// out is [rows_a, rows_b]. Rows of a are spread over `pool` (nullptr: ThreadPool::Shared()).
Status SimilarityMatrix(SimilarityFunction function, const float* a, size_t rows_a, const float* b, size_t rows_b,
                        size_t dim, float* out, ThreadPool* pool = nullptr);

// out is [rows]: similarity(a[i], b[i]).
Status PairwiseSimilarity(SimilarityFunction function, const float* a, const float* b, size_t rows, size_t dim,
                          float* out);

}  // namespace sk::kernels
