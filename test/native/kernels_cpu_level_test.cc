// The CPU level the dispatcher detects, and the names SENTENCEKIT_CPU_LEVEL takes, on either
// architecture. test/arm64/run.sh runs the aarch64 suite on emulated CPUs of each ARM level and
// sets SENTENCEKIT_EXPECT_CPU_LEVEL, so a detection that read the wrong HWCAP bit fails here
// (instead of every level silently running NEON, whose kernels would pass their checks too).
#include <cstdlib>
#include <set>
#include <string>

#include "check.h"
#include "kernels/cpu/vector_table.h"
#include "kernels/int8_gemm.h"
#include "kernels/kernels.h"
#include "kernels/testing.h"

namespace {

using sk::kernels::CpuLevel;

TEST(kernels_cpu_level_detected_as_expected) {
  const char* expected = std::getenv("SENTENCEKIT_EXPECT_CPU_LEVEL");
  if (expected == nullptr) SKIP("SENTENCEKIT_EXPECT_CPU_LEVEL not set (test/arm64/run.sh sets it per emulated CPU)");
  CHECK(std::string(sk::kernels::CpuLevelName(sk::kernels::SupportedCpuLevel())) == expected)
      << "detected " << sk::kernels::CpuLevelName(sk::kernels::SupportedCpuLevel()) << ", expected " << expected;
}

TEST(kernels_cpu_level_names_are_distinct_and_select_their_kernels) {
  const CpuLevel before = sk::kernels::ActiveCpuLevel();
  std::set<std::string> names;
  for (int level = 0; level <= static_cast<int>(sk::kernels::kHighestCpuLevel); ++level) {
    names.insert(sk::kernels::CpuLevelName(static_cast<CpuLevel>(level)));
  }
  CHECK(names.size() == static_cast<size_t>(sk::kernels::kHighestCpuLevel) + 1) << "one name per level";
  CHECK(std::string(sk::kernels::CpuLevelName(CpuLevel::kScalar)) == "scalar");
  // The scalar level runs the portable loop; every level above it its own int8 GEMM.
  std::set<std::string> gemms;
  for (int level = 0; level <= static_cast<int>(sk::kernels::SupportedCpuLevel()); ++level) {
    sk::kernels::SetCpuLevelForTesting(static_cast<CpuLevel>(level));
    CHECK(sk::kernels::ActiveCpuLevel() == static_cast<CpuLevel>(level));
    if (level == 0) {
      CHECK(std::string(sk::kernels::Int8GemmKernel()) == "portable");
    }
    gemms.insert(sk::kernels::Int8GemmKernel());
#if defined(__aarch64__)
    CHECK(std::string(sk::kernels::Int8GemmKernel()) == (level == 0 ? "portable" : sk::kernels::CpuLevelName(static_cast<CpuLevel>(level))));
    CHECK(&sk::kernels::VectorKernelsFor(level) != &sk::kernels::ScalarVectorKernels() || level == 0) << "level " << level;
#endif
  }
  CHECK(gemms.size() == static_cast<size_t>(sk::kernels::SupportedCpuLevel()) + 1) << "a distinct GEMM per level";
  sk::kernels::SetCpuLevelForTesting(before);
}

}  // namespace
