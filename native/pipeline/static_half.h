// What PyTorch computes for a StaticEmbedding whose table is float16: nn.EmbeddingBag sums the
// rows in float32, in token order, rounds the sum to float16, divides by the count (itself a
// float16) in float32 and rounds again; F.normalize (the Normalize module, normalize_embeddings) takes the norm in
// float32 and rounds it to float16, then divides in float32 and rounds each value. These
// functions do the same on the float32 widening of the table, so the vectors equal Python's bit
// for bit instead of being the more precise float32 mean (checked against torch in
// test/tools/static_embedding_fixtures.py's static-roberta-mrl).
#pragma once

#include <cstddef>
#include <cstdint>

namespace sk::pipeline {

// `value` rounded to the nearest IEEE binary16 (ties to even), as a float.
float RoundToHalf(float value);

// out[0, dim) = the float16 EmbeddingBag mean of table rows `ids` (dim floats each).
void HalfMean(const float* table, size_t dim, const int64_t* ids, size_t count, float* out);

// F.normalize in float16, in place. A zero row stays zero where Python's gives NaN (its 1e-12
// epsilon is 0 in float16): a text without tokens keeps the zero vector it has in float32.
void HalfNormalize(float* row, size_t width);

}  // namespace sk::pipeline
