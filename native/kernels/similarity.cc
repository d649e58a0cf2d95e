// Cosine normalizes copies of both sides first (torch.nn.functional.normalize, eps 1e-12)
// and then takes dot products, as cos_sim does. Euclidean and manhattan work on the
// differences directly (torch.cdist's exact path), so identical rows score exactly 0.
#include "kernels/similarity.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/thread_pool.h"
#include "kernels/cpu/vector_table.h"
#include "kernels/kernels.h"

namespace sk::kernels {
namespace {

Status CheckSizes(const float* a, size_t rows_a, const float* b, size_t rows_b, size_t dim, const float* out) {
  if (dim == 0) return InvalidArgument("expected an embedding dimension >= 1 but received 0");
  if ((rows_a > 0 && a == nullptr) || (rows_b > 0 && b == nullptr)) return InvalidArgument("embeddings missing");
  if (rows_a > 0 && rows_b > 0 && out == nullptr) return InvalidArgument("output missing");
  return Status::Ok();
}

std::vector<float> NormalizedCopy(const float* rows, size_t count, size_t dim) {
  std::vector<float> copy(rows, rows + count * dim);
  L2NormalizeRows(copy.data(), count, dim);
  return copy;
}

float Score(const VectorKernels& kernels, SimilarityFunction function, const float* a, const float* b, size_t dim) {
  switch (function) {
    case SimilarityFunction::kCosine:
    case SimilarityFunction::kDot: return kernels.dot(a, b, dim);
    case SimilarityFunction::kEuclidean: return -std::sqrt(kernels.squared_l2(a, b, dim));
    case SimilarityFunction::kManhattan: return -kernels.l1(a, b, dim);
  }
  return 0.0f;
}

}  // namespace

Status SimilarityMatrix(SimilarityFunction function, const float* a, size_t rows_a, const float* b, size_t rows_b,
                        size_t dim, float* out, ThreadPool* pool) {
  SK_RETURN_IF_ERROR(CheckSizes(a, rows_a, b, rows_b, dim, out));
  if (rows_a == 0 || rows_b == 0) return Status::Ok();
  std::vector<float> a_normalized, b_normalized;
  if (function == SimilarityFunction::kCosine) {
    a_normalized = NormalizedCopy(a, rows_a, dim);
    b_normalized = NormalizedCopy(b, rows_b, dim);
    a = a_normalized.data();
    b = b_normalized.data();
  }
  const VectorKernels& kernels = ActiveVectorKernels();
  const bool by_dot = function == SimilarityFunction::kCosine || function == SimilarityFunction::kDot;
  ThreadPool& workers = pool != nullptr ? *pool : ThreadPool::Shared();
  // Tiles of kRowsMaxQueries rows of a share each pass over b.
  const size_t tiles = (rows_a + kRowsMaxQueries - 1) / kRowsMaxQueries;
  workers.ParallelFor(tiles, [&](size_t tile, size_t) {
    const size_t begin = tile * kRowsMaxQueries;
    const size_t m = std::min(kRowsMaxQueries, rows_a - begin);
    if (by_dot) {
      kernels.dot_rows_f32(a + begin * dim, m, b, rows_b, dim, out + begin * rows_b, rows_b);
      return;
    }
    for (size_t i = begin; i < begin + m; ++i)
      for (size_t j = 0; j < rows_b; ++j) out[i * rows_b + j] = Score(kernels, function, a + i * dim, b + j * dim, dim);
  });
  return Status::Ok();
}

Status PairwiseSimilarity(SimilarityFunction function, const float* a, const float* b, size_t rows, size_t dim,
                          float* out) {
  SK_RETURN_IF_ERROR(CheckSizes(a, rows, b, rows, dim, out));
  const VectorKernels& kernels = ActiveVectorKernels();
  std::vector<float> a_row, b_row;
  if (function == SimilarityFunction::kCosine) {
    a_row.resize(dim);
    b_row.resize(dim);
  }
  for (size_t i = 0; i < rows; ++i) {
    const float* x = a + i * dim;
    const float* y = b + i * dim;
    if (function == SimilarityFunction::kCosine) {
      std::copy(x, x + dim, a_row.begin());
      std::copy(y, y + dim, b_row.begin());
      L2NormalizeRows(a_row.data(), 1, dim);
      L2NormalizeRows(b_row.data(), 1, dim);
      x = a_row.data();
      y = b_row.data();
    }
    out[i] = Score(kernels, function, x, y, dim);
  }
  return Status::Ok();
}

}  // namespace sk::kernels
