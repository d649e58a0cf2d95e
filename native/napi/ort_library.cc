#include "napi/ort_library.h"

#include <cstdlib>

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
  const char* override_path = std::getenv("SENTENCEKIT_ORT_LIBRARY");
  if (override_path != nullptr && *override_path != '\0') return override_path;
  return GetAddonData(env).addon_dir + "/" + kOrtLibraryName;
}

}  // namespace sk::napi
