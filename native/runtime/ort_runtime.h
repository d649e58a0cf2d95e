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
  // Loads `library_path` (normally libonnxruntime.so.1 beside the addon) once; later calls
  // return the first result. Thread-safe.
  static Status Initialize(const std::string& library_path);
  // The runtime after a successful Initialize, else nullptr.
  static OrtRuntime* Get();
  // Initialize's result (why there is no runtime, for the ONNX path to report).
  static Status InitStatus();

  const OrtApi* api() const { return api_; }
  OrtEnv* env() const { return env_; }
  const std::string& version() const { return version_; }
  const std::string& library_path() const { return library_path_; }

 private:
  OrtRuntime() = default;

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
