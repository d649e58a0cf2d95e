// The mean of a bag of table rows: nn.EmbeddingBag(mode="mean") for one text, the whole
// forward pass of a StaticEmbedding model. Rows are summed in token order in float32 and the
// sum divided by the count, as PyTorch's CPU EmbeddingBag does, so every variant gives
// Python's bits; an empty bag is a row of zeros.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sk::kernels {

// out[0, dim) = mean of table[ids[t] * dim .. + dim) over t < count. Ids must be valid rows
// (the caller checks them). The variant is the active CPU level's (kernels.h).
void GatherMean(const float* table, size_t dim, const int64_t* ids, size_t count, float* out);

using GatherMeanFn = void (*)(const float* table, size_t dim, const int64_t* ids, size_t count, float* out);

// The plain loop every variant is tested against.
void GatherMeanScalar(const float* table, size_t dim, const int64_t* ids, size_t count, float* out);
// Compiled with -mavx2; only call when the CPU has AVX2. There is no AVX-512 variant: this
// machine cannot run one to test it (no AVX-512, no Intel SDE), so the AVX-512 level uses
// this one.
void GatherMeanAvx2(const float* table, size_t dim, const int64_t* ids, size_t count, float* out);
// aarch64: NEON, at every ARM level above scalar.
void GatherMeanNeon(const float* table, size_t dim, const int64_t* ids, size_t count, float* out);

// The variant of one CPU level (int of kernels.h's CpuLevel), for tests that cross-check them.
GatherMeanFn GatherMeanFor(int level);

}  // namespace sk::kernels
