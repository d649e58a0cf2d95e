// sentence-transformers' similarity functions on the native kernels: a matrix and pairwise,
// synchronous (model.similarity returns a matrix at once in Python, and small inputs cost
// less than a worker hop) and, for large inputs, a Promise from a worker thread. All write
// into a Float32Array the caller preallocated; the inputs are read in place.
#pragma once

#include <napi.h>

namespace sk::napi {

// Registers similarityMatrix, similarityMatrixAsync and similarityPairwise on `exports`.
void InitSimilarity(Napi::Env env, Napi::Object exports);

}  // namespace sk::napi
