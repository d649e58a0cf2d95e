// CPU kernels behind pooling, normalization, similarity and search. Each entry point
// dispatches at run time to the best variant the CPU supports: on x86 AVX-512, AVX2, scalar
// (SENTENCEKIT_CPU_LEVEL=scalar|avx2|avx2-vnni|avx512 forces a level); on aarch64 i8mm (SMMLA), dotprod
// (SDOT), NEON, scalar (SENTENCEKIT_CPU_LEVEL=scalar|neon|dotprod|i8mm). Never above what the
// CPU has.
// At the avx512 level, int8 search also uses Intel AMX tiles where the CPU and OS allow it
// (kernels/cpu/int8_amx.h); SENTENCEKIT_AMX=0 turns that off.
// Every variant is cross-checked against the scalar reference in test/native.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sk::kernels {

// Each architecture names only its own levels, in increasing order, so code that dispatches to
// one architecture's kernels fails to compile on the other unless it is guarded (by
// `#if defined(__x86_64__)` / `#if defined(__aarch64__)`, as dispatch.cc and int8_gemm.cc are).
#if defined(__aarch64__)
enum class CpuLevel { kScalar = 0, kNeon = 1, kDotprod = 2, kI8mm = 3 };
constexpr CpuLevel kHighestCpuLevel = CpuLevel::kI8mm;
#else
enum class CpuLevel { kScalar = 0, kAvx2 = 1, kAvx512 = 2 };
constexpr CpuLevel kHighestCpuLevel = CpuLevel::kAvx512;
#endif

#if !defined(__aarch64__)
// At the avx2 level, the int8 GEMM's byte multiply: VPDPBUSD on ymm, VEX-encoded (AVX-VNNI) or
// EVEX-encoded (AVX-512 VNNI + VL, on a CPU without AVX-VNNI), or none (VPMADDUBSW, plain AVX2).
// AVX-VNNI is used where the CPU has it; SENTENCEKIT_CPU_LEVEL=avx2 turns it off and avx2-vnni
// asks for either form. kNone at every other level.
enum class YmmVnni { kNone, kAvxVnni, kAvx512Vl };
YmmVnni ActiveYmmVnni();
#endif

// The level in use (CPU features, lowered by SENTENCEKIT_CPU_LEVEL when set).
CpuLevel ActiveCpuLevel();
// The highest level this CPU supports.
CpuLevel SupportedCpuLevel();
const char* CpuLevelName(CpuLevel level);

// Token-embedding views are row-major [batch, seq, hidden]; the mask is [batch, seq] of 0/1
// int64 (what the ONNX model received). Outputs are [batch, hidden], written in full.

// Mean over masked-in tokens; a row with no masked-in token gives zeros
// (sentence-transformers clamps the count to 1e-9 so the sum of nothing stays 0).
void MeanPool(const float* tokens, const int64_t* mask, size_t batch, size_t seq,
              size_t hidden, float* out);
// The first masked-in token's vector ([CLS] with right padding; row 0 if all are masked out).
void ClsPool(const float* tokens, const int64_t* mask, size_t batch, size_t seq,
             size_t hidden, float* out);
// Max over masked-in tokens; sentence-transformers 6 fills masked-out tokens with -inf before
// the max, so an all-masked row gives -inf.
void MaxPool(const float* tokens, const int64_t* mask, size_t batch, size_t seq,
             size_t hidden, float* out);

// In-place L2 normalization of `rows` vectors of `dim` floats, matching
// torch.nn.functional.normalize(p=2, eps=1e-12): v / max(||v||, 1e-12).
void L2NormalizeRows(float* data, size_t rows, size_t dim);

}  // namespace sk::kernels
