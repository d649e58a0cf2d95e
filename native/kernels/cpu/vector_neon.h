// The NEON vector table by value, for the dotprod and i8mm levels to start from and replace
// the entries their instructions speed up. Internal to native/kernels, aarch64 only.
#pragma once

#include "kernels/cpu/vector_table.h"

namespace sk::kernels {

VectorKernels MakeNeonVectorKernels();

}  // namespace sk::kernels
