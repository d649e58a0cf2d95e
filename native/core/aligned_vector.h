// std::vector with 64-byte aligned storage: AMX tile loads (TILELOADD) of rows that straddle
// cache lines run at about half speed (1,024 queries over 672 x 384 int8 rows, one thread:
// 0.39 CPU-ns per pair from a malloc'd buffer, 0.27 from a 64-byte aligned one), and the
// kernels' scratch and packed operands are ours to place.
#pragma once

#include <cstddef>
#include <new>
#include <vector>

namespace sk {

template <typename T, size_t Alignment = 64>
struct AlignedAllocator {
  using value_type = T;
  AlignedAllocator() = default;
  template <typename U>
  AlignedAllocator(const AlignedAllocator<U, Alignment>&) noexcept {}  // NOLINT: rebinding
  template <typename U>
  struct rebind {
    using other = AlignedAllocator<U, Alignment>;
  };
  T* allocate(size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t{Alignment})); }
  void deallocate(T* p, size_t) noexcept { ::operator delete(p, std::align_val_t{Alignment}); }
  friend bool operator==(const AlignedAllocator&, const AlignedAllocator&) { return true; }
  friend bool operator!=(const AlignedAllocator&, const AlignedAllocator&) { return false; }
};

template <typename T>
using AlignedVector = std::vector<T, AlignedAllocator<T>>;

}  // namespace sk
