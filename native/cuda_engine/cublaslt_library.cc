#include "cuda_engine/cublaslt_library.h"

#include <dlfcn.h>

#include <cstdlib>
#include <mutex>
#include <vector>

#include "core/config.h"

namespace sk::cuda {
namespace {

std::string OwnDirectory() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&OwnDirectory), &info) == 0 || info.dli_fname == nullptr) return ".";
  std::string path = info.dli_fname;
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

template <typename Fn>
bool Resolve(void* handle, const char* name, Fn* out, std::string* missing) {
  *out = reinterpret_cast<Fn>(dlsym(handle, name));
  if (*out == nullptr) *missing += std::string(missing->empty() ? "" : ", ") + name;
  return *out != nullptr;
}

struct Loaded {
  CublasLtLibrary library;
  bool ok = false;
  std::string error;
};

Loaded LoadOnce() {
  Loaded loaded;
  std::vector<std::string> candidates;
  const std::string& override_path = GetConfig().cublaslt_library;
  if (!override_path.empty()) candidates.push_back(override_path);
  // Only major version 13: the enums and structs we pass are those of the cuBLAS 13 headers.
  candidates.push_back("libcublasLt.so.13");
  candidates.push_back(OwnDirectory() + "/libcublasLt.so.13");
  void* handle = nullptr;
  std::string attempts;
  for (const std::string& candidate : candidates) {
    handle = dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle != nullptr) break;
    const char* reason = dlerror();
    attempts += "\n  " + candidate + ": " + (reason != nullptr ? reason : "not found");
  }
  if (handle == nullptr) {
    loaded.error = "cuBLASLt 13 could not be loaded (install the nvidia-cublas package or the CUDA 13 toolkit, or "
                   "set SENTENCEKIT_CUBLASLT_LIBRARY):" + attempts;
    return loaded;
  }
  CublasLtLibrary& lib = loaded.library;
  std::string missing;
  Resolve(handle, "cublasLtCreate", &lib.Create, &missing);
  Resolve(handle, "cublasLtDestroy", &lib.Destroy, &missing);
  Resolve(handle, "cublasLtGetVersion", &lib.GetVersion, &missing);
  Resolve(handle, "cublasLtMatmulDescCreate", &lib.MatmulDescCreate, &missing);
  Resolve(handle, "cublasLtMatmulDescDestroy", &lib.MatmulDescDestroy, &missing);
  Resolve(handle, "cublasLtMatmulDescSetAttribute", &lib.MatmulDescSetAttribute, &missing);
  Resolve(handle, "cublasLtMatrixLayoutCreate", &lib.MatrixLayoutCreate, &missing);
  Resolve(handle, "cublasLtMatrixLayoutDestroy", &lib.MatrixLayoutDestroy, &missing);
  Resolve(handle, "cublasLtMatmulPreferenceCreate", &lib.MatmulPreferenceCreate, &missing);
  Resolve(handle, "cublasLtMatmulPreferenceDestroy", &lib.MatmulPreferenceDestroy, &missing);
  Resolve(handle, "cublasLtMatmulPreferenceSetAttribute", &lib.MatmulPreferenceSetAttribute, &missing);
  Resolve(handle, "cublasLtMatmulAlgoGetHeuristic", &lib.MatmulAlgoGetHeuristic, &missing);
  Resolve(handle, "cublasLtMatmul", &lib.Matmul, &missing);
  if (!missing.empty()) {
    loaded.error = "the cuBLASLt library lacks " + missing;
    return loaded;
  }
  if (lib.GetVersion() / 10000 != CUBLAS_VER_MAJOR) {
    loaded.error = "cuBLASLt " + std::to_string(lib.GetVersion()) + " was loaded, but this build needs major version " +
                   std::to_string(CUBLAS_VER_MAJOR);
    return loaded;
  }
  loaded.ok = true;
  return loaded;  // the handle stays open for the life of the process
}

}  // namespace

const CublasLtLibrary* CublasLtLibrary::Get(std::string* error) {
  static const Loaded loaded = LoadOnce();
  if (!loaded.ok) {
    *error = loaded.error;
    return nullptr;
  }
  return &loaded.library;
}

}  // namespace sk::cuda
