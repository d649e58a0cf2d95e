#include "napi/ort_library.h"

#include <cstdlib>

#include "core/config.h"
#include "napi/addon_data.h"

namespace sk::napi {
namespace {

// The file name onnxruntime-node ships for this OS; each platform package puts it beside the addon.
#if defined(_WIN32)
constexpr const char* kOrtLibraryName = "onnxruntime.dll";
#elif defined(__APPLE__)
constexpr const char* kOrtLibraryName = "libonnxruntime.1.dylib";
#else
constexpr const char* kOrtLibraryName = "libonnxruntime.so.1";
#endif

}  // namespace

std::string OrtLibraryPath(Napi::Env env) {
  const std::string& override_path = GetConfig().ort_library;
  if (!override_path.empty()) return override_path;
  return GetAddonData(env).addon_dir + "/" + kOrtLibraryName;
}

}  // namespace sk::napi
