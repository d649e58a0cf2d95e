#include "kernels/gather_mean.h"

#include <cstring>

#include "kernels/kernels.h"

namespace sk::kernels {

void GatherMeanScalar(const float* table, size_t dim, const int64_t* ids, size_t count, float* out) {
  std::memset(out, 0, dim * sizeof(float));
  for (size_t t = 0; t < count; ++t) {
    const float* row = table + static_cast<size_t>(ids[t]) * dim;
    for (size_t d = 0; d < dim; ++d) out[d] += row[d];
  }
  if (count == 0) return;
  const float n = static_cast<float>(count);
  for (size_t d = 0; d < dim; ++d) out[d] /= n;
}

GatherMeanFn GatherMeanFor(int level) {
#if defined(__aarch64__)
  return level >= static_cast<int>(CpuLevel::kNeon) ? &GatherMeanNeon : &GatherMeanScalar;
#else
  return level >= static_cast<int>(CpuLevel::kAvx2) ? &GatherMeanAvx2 : &GatherMeanScalar;
#endif
}

void GatherMean(const float* table, size_t dim, const int64_t* ids, size_t count, float* out) {
  GatherMeanFor(static_cast<int>(ActiveCpuLevel()))(table, dim, ids, count, out);
}

}  // namespace sk::kernels
