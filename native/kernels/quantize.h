// Embedding quantization equal to sentence-transformers' quantize_embeddings (NumPy float32
// arithmetic): int8/uint8 with per-dimension buckets from [min, max] ranges, and binary /
// ubinary as np.packbits(x > 0) (first dimension in the most significant bit).
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/status.h"

namespace sk::kernels {

// ranges is [2][dim]: row 0 the per-dimension minimum, row 1 the maximum, over the
// calibration rows (np.min / np.max along axis 0; a NaN in a column makes both NaN).
Status ComputeQuantizationRanges(const float* calibration, size_t rows, size_t dim, float* ranges);

// starts = min, steps = (max - min) / 255 (1 where 0), q = clip(floor((x - starts) / steps),
// 0, 255); uint8 writes q, int8 writes q - 128. A NaN input (or a NaN range) writes bucket 0.
Status QuantizeUint8(const float* embeddings, size_t rows, size_t dim, const float* ranges, uint8_t* out);
Status QuantizeInt8(const float* embeddings, size_t rows, size_t dim, const float* ranges, int8_t* out);

// Bytes per packed bit row: ceil(dim / 8), padding bits zero.
size_t PackedBitBytes(size_t dim);
// ubinary: np.packbits(x > 0, axis=-1). binary: the same bytes minus 128, as int8.
Status QuantizeUbinary(const float* embeddings, size_t rows, size_t dim, uint8_t* out);
Status QuantizeBinary(const float* embeddings, size_t rows, size_t dim, int8_t* out);

}  // namespace sk::kernels
