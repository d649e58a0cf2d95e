#include "napi/ort_library.h"

#include <cstdlib>

#include "napi/addon_data.h"

namespace sk::napi {

std::string OrtLibraryPath(Napi::Env env) {
  const char* override_path = std::getenv("SENTENCEKIT_ORT_LIBRARY");
  if (override_path != nullptr && *override_path != '\0') return override_path;
  return GetAddonData(env).addon_dir + "/libonnxruntime.so.1";
}

}  // namespace sk::napi
