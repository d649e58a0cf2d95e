// The process-wide ONNX Runtime: the shared library, loaded with dlopen (so the addon
// itself links nothing from ORT and a missing library is a clean error, not a failed
// require), the OrtApi table for API version 29, and one OrtEnv for the whole process.
#pragma once

#include <string>

#include "core/status.h"
#include "runtime/ort_c_api.h"

namespace sk::ort {

class OrtRuntime {
 public:
  // Where Acquire() will load ONNX Runtime from (normally libonnxruntime.so.1 beside the addon).
  // Loads nothing: a model on the own engines never opens ONNX Runtime, so its static
  // initializers (pytorch/cpuinfo's probing of the CPU) run only for ONNX models.
  // Ignored once a load was attempted. Thread-safe.
  static void SetLibraryPath(const std::string& library_path);
  // The runtime, loaded from SetLibraryPath's path on the first call; later calls return the
  // first result. nullptr where it cannot load: InitStatus() says why. Thread-safe.
  static OrtRuntime* Acquire();
  // SetLibraryPath + Acquire, for callers without an addon (the fuzzers).
  static Status Initialize(const std::string& library_path);
  // The runtime if one was loaded, else nullptr; never loads (runtimeInfo()).
  static OrtRuntime* Get();
  // Why there is no runtime, for the ONNX path to report.
  static Status InitStatus();

  const OrtApi* api() const { return api_; }
  OrtEnv* env() const { return env_; }
  const std::string& version() const { return version_; }
  const std::string& library_path() const { return library_path_; }

 private:
  OrtRuntime() = default;
  // Opens the library and creates the process's one OrtEnv.
  static Status Load(const std::string& library_path, OrtRuntime** out);

  void* library_handle_ = nullptr;
  const OrtApi* api_ = nullptr;
  OrtEnv* env_ = nullptr;
  std::string version_;
  std::string library_path_;
};

// Converts an OrtStatus into our Status (and releases it). A null status is success.
Status FromOrtStatus(const OrtApi* api, OrtStatus* status, StatusCode code,
                     const std::string& context);

}  // namespace sk::ort
