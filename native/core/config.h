// Every SENTENCEKIT_* environment variable the native code reads, read here and nowhere else,
// once, the first time any is asked for; runtimeInfo().environment reports them (napi/addon.cc)
// and README.md's "Environment variables" table lists them beside lib's own
// (lib/config.ts). Values are taken as set; each user says what an unusable value means.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace sk {

struct Config {
  // SENTENCEKIT_CPU_LEVEL: "scalar" | "avx2" | "avx2-vnni" | "avx512" caps the kernel level (never
  // above what the CPU has; avx2 without, avx2-vnni with VPDPBUSD on ymm); empty: the CPU's best.
  std::string cpu_level;
  // SENTENCEKIT_AMX: "0" keeps the AMX int8 / bf16 kernels off on a CPU that has them.
  bool amx = true;
  // SENTENCEKIT_THREADS: the shared kernel thread pool's size (search, similarity, static
  // models); 0: one per hardware thread.
  size_t threads = 0;
  // SENTENCEKIT_COMPUTE_NICE: 0-19, the niceness of the model and kernel threads (0: unchanged).
  int compute_nice = 0;
  // SENTENCEKIT_ORT_LIBRARY: the ONNX Runtime library to load instead of the one beside the addon.
  std::string ort_library;
  // SENTENCEKIT_CUDA_LIBRARY: the CUDA engine library instead of the one beside the addon.
  std::string cuda_library;
  // SENTENCEKIT_CUBLASLT_LIBRARY: the cuBLASLt the CUDA engine loads first.
  std::string cublaslt_library;
  // SENTENCEKIT_CUDA_SYNC_CHECK: synchronize after every CUDA launch, so a failing kernel is
  // named (the GPU harness turns it on).
  bool cuda_sync_check = false;
};

const Config& GetConfig();

// Each variable with its value as set in the environment (unset ones left out), in the
// order above, for runtimeInfo().environment.
struct ConfigVariable {
  const char* name;
  std::string value;
};
std::vector<ConfigVariable> ConfigVariablesSet();

}  // namespace sk
