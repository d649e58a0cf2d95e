// Scalar reference for the vector primitives: plain loops in the order a reader expects.
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "kernels/cpu/vector_table.h"

namespace sk::kernels {
namespace {

void AxpyScalar(float w, const float* x, size_t n, float* y) {
  for (size_t i = 0; i < n; ++i) y[i] += w * x[i];
}

float DotScalar(const float* a, const float* b, size_t n) {
  float sum = 0.0f;
  for (size_t i = 0; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

float SquaredL2Scalar(const float* a, const float* b, size_t n) {
  float sum = 0.0f;
  for (size_t i = 0; i < n; ++i) {
    const float diff = a[i] - b[i];
    sum += diff * diff;
  }
  return sum;
}

float L1Scalar(const float* a, const float* b, size_t n) {
  float sum = 0.0f;
  for (size_t i = 0; i < n; ++i) sum += std::fabs(a[i] - b[i]);
  return sum;
}

void DotRowsF32Scalar(const float* queries, size_t m, const float* corpus, size_t n, size_t dim,
                      float* scores, size_t score_stride) {
  for (size_t q = 0; q < m; ++q) {
    for (size_t r = 0; r < n; ++r) scores[q * score_stride + r] = DotScalar(queries + q * dim, corpus + r * dim, dim);
  }
}

constexpr size_t kScalarLanes = 8;

void PackF32Scalar(const float* corpus, size_t n, size_t dim, float* packed) {
  const size_t groups = (n + kScalarLanes - 1) / kScalarLanes;
  for (size_t g = 0; g < groups; ++g) {
    for (size_t d = 0; d < dim; ++d) {
      for (size_t l = 0; l < kScalarLanes; ++l) {
        const size_t row = g * kScalarLanes + l;
        packed[(g * dim + d) * kScalarLanes + l] = row < n ? corpus[row * dim + d] : 0.0f;
      }
    }
  }
}

void DotPackedF32Scalar(const float* queries, size_t m, const float* packed, size_t groups, size_t dim,
                        float* scores, size_t score_stride) {
  for (size_t q = 0; q < m; ++q) {
    for (size_t g = 0; g < groups; ++g) {
      float acc[kScalarLanes] = {};
      const float* block = packed + g * dim * kScalarLanes;
      for (size_t d = 0; d < dim; ++d) {
        for (size_t l = 0; l < kScalarLanes; ++l) acc[l] += queries[q * dim + d] * block[d * kScalarLanes + l];
      }
      std::memcpy(scores + q * score_stride + g * kScalarLanes, acc, sizeof(acc));
    }
  }
}

void DotRowsI8Scalar(const int8_t* queries, size_t m, const int8_t* corpus, size_t n, size_t bytes,
                     int32_t* scores, size_t score_stride) {
  for (size_t q = 0; q < m; ++q) {
    for (size_t r = 0; r < n; ++r) {
      int32_t sum = 0;
      for (size_t i = 0; i < bytes; ++i) sum += int32_t{queries[q * bytes + i]} * int32_t{corpus[r * bytes + i]};
      scores[q * score_stride + r] = sum;
    }
  }
}

void HammingRowsScalar(const uint8_t* queries, size_t m, const uint8_t* corpus, size_t n, size_t bytes,
                       int32_t* distances, size_t score_stride) {
  for (size_t q = 0; q < m; ++q) {
    for (size_t r = 0; r < n; ++r) {
      int32_t distance = 0;
      for (size_t i = 0; i < bytes; ++i) {
        distance += __builtin_popcount(static_cast<unsigned>(queries[q * bytes + i] ^ corpus[r * bytes + i]));
      }
      distances[q * score_stride + r] = distance;
    }
  }
}

template <typename T>
size_t SelectAtLeastScalar(const T* scores, size_t n, T threshold, uint32_t* positions) {
  size_t count = 0;
  for (size_t r = 0; r < n; ++r) {
    if (scores[r] >= threshold) positions[count++] = static_cast<uint32_t>(r);
  }
  return count;
}

}  // namespace

const VectorKernels& ScalarVectorKernels() {
  static const VectorKernels table{AxpyScalar,       DotScalar,       SquaredL2Scalar,
                                   L1Scalar,         DotRowsF32Scalar, kScalarLanes,
                                   4,                PackF32Scalar,    DotPackedF32Scalar,
                                   DotRowsI8Scalar,  HammingRowsScalar,
                                   SelectAtLeastScalar<float>, SelectAtLeastScalar<int32_t>,
                                   0, 0, nullptr, nullptr, 0, 0, nullptr, nullptr};
  return table;
}

}  // namespace sk::kernels
