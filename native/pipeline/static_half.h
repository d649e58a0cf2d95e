// What PyTorch computes for a StaticEmbedding whose table is float16 or bfloat16: nn.EmbeddingBag
// sums the rows in float32, in token order, rounds the sum to the table's format (bfloat16:
// fbgemm's rounding, half away from zero in magnitude, not ties to even), divides by the count
// (itself of that format) in float32 and rounds again; F.normalize (the Normalize module,
// normalize_embeddings) takes the norm in float32 and rounds it, then divides in float32 and
// rounds each value. These functions do the same on the float32 widening of the table, so the
// vectors equal Python's bit for bit instead of being the more precise float32 mean (checked
// against torch by test/tools/static_embedding_fixtures.py's static-roberta-mrl and
// static-bert-bf16).
#pragma once

#include <cstddef>
#include <cstdint>

namespace sk::pipeline {

enum class HalfFormat { kFloat16, kBfloat16 };

// `value` rounded to the nearest IEEE binary16 / bfloat16 (ties to even), as a float.
float RoundToHalf(float value);
float RoundToBfloat16(float value);

// out[0, dim) = the EmbeddingBag mean of table rows `ids` (dim floats each) in `format`.
void HalfMean(const float* table, size_t dim, const int64_t* ids, size_t count, HalfFormat format, float* out);

// F.normalize in `format`, in place. A zero row stays zero where Python's float16 gives NaN
// (its 1e-12 epsilon is 0 in float16): a text without tokens keeps the zero vector it has in
// float32 and bfloat16.
void HalfNormalize(float* row, size_t width, HalfFormat format);

}  // namespace sk::pipeline
