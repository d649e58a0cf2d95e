// Rows for device search: float32 rows written into the corpus's storage type with the
// dimension padded by zeros (so every row starts aligned for cuBLASLt's tensor-core paths;
// zeros change no dot product), and each row's 1 / max(‖row‖, 1e-12) for cosine, as the CPU
// search computes it (from the float32 values, before any narrowing).
#pragma once

#include <cuda_runtime.h>

#include <cstddef>

namespace sk::cuda {

// in: [rows, dim] float32; out: [rows, padded_dim] of T (float or __half); inverse_norms:
// [rows] or nullptr. padded_dim >= dim.
template <typename T>
cudaError_t StorePaddedRows(const float* in, size_t rows, int dim, int padded_dim, T* out, float* inverse_norms,
                            cudaStream_t stream);

// rows[r] *= 1 / max(‖rows[r]‖, 1e-12) in place: [rows, dim] float32 (queries for cosine).
cudaError_t NormalizeRowsInPlace(float* rows, size_t count, int dim, cudaStream_t stream);

}  // namespace sk::cuda
