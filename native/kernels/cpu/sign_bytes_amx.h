// Bit rows as +1/-1 bytes, so that AMX's int8 dot products give Hamming distances:
// dot(a, b) = bits - 2 * hamming(a, b). TDPBSSD multiplies 16 x 16 pairs of 64 bytes per
// instruction, where VPOPCNTDQ needs about three 512-bit operations per 8 pairs and 64 bits;
// the 8x wider operand is repaid by scoring a block of rows against many query tiles.
// Internal to native/kernels; AVX-512BW, run only where AmxInt8Enabled().
#pragma once

#include <cstddef>
#include <cstdint>

namespace sk::kernels {

// Bytes of one expanded row: whole 64-byte AMX steps.
inline size_t SignBytesStride(size_t bytes) { return (bytes + 7) / 8 * 64; }

// out[r * SignBytesStride(bytes) + 8 * i + j] = +1 where bit j of byte i of row r is set,
// -1 where it is clear (any fixed order serves, the same for queries and corpus), 0 past
// bytes * 8, so padding adds nothing to a dot product. `out` holds n rows of
// SignBytesStride(bytes).
void ExpandBitsToSigns(const uint8_t* rows, size_t n, size_t bytes, int8_t* out);

}  // namespace sk::kernels
