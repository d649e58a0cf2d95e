// The per-CPU-level implementations behind kernels.h. Each SIMD level fills one table; the
// dispatcher picks a table once. Internal to native/kernels.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sk::kernels {

struct KernelTable {
  void (*mean_pool)(const float*, const int64_t*, size_t, size_t, size_t, float*);
  void (*max_pool)(const float*, const int64_t*, size_t, size_t, size_t, float*);
  void (*l2_normalize_rows)(float*, size_t, size_t);
};

// The plain C++ reference every variant is tested against.
const KernelTable& ScalarKernels();
// Compiled with -mavx2 -mfma; only call when the CPU has AVX2 and FMA.
const KernelTable& Avx2Kernels();
// Compiled with AVX-512 F/BW/DQ/VL (+VNNI, VPOPCNTDQ); only call when the CPU has them.
const KernelTable& Avx512Kernels();
// aarch64: NEON is every such CPU's baseline (pooling_neon.cc); the dotprod and i8mm levels
// use the same table, as pooling and normalization have no int8 arithmetic.
const KernelTable& NeonKernels();

// The table of one level (for tests that cross-check every level).
const KernelTable& KernelsFor(int level);

}  // namespace sk::kernels
