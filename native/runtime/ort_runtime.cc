#include "runtime/ort_runtime.h"

#include <dlfcn.h>

#include <mutex>

namespace sk::ort {
namespace {

std::mutex g_init_mutex;
OrtRuntime* g_runtime = nullptr;          // never freed: ORT must outlive every session
Status g_init_status = Status(StatusCode::kRuntime, "ONNX Runtime was not initialised");
bool g_init_attempted = false;

}  // namespace

Status FromOrtStatus(const OrtApi* api, OrtStatus* status, StatusCode code,
                     const std::string& context) {
  if (status == nullptr) return Status::Ok();
  std::string message = context + ": " + api->GetErrorMessage(status);
  api->ReleaseStatus(status);
  return Status(code, std::move(message));
}

Status OrtRuntime::Initialize(const std::string& library_path) {
  std::lock_guard<std::mutex> lock(g_init_mutex);
  if (g_init_attempted) return g_init_status;
  g_init_attempted = true;

  // RTLD_LOCAL keeps ORT's symbols from leaking into other addons in the same process.
  void* handle = dlopen(library_path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    g_init_status = Status(StatusCode::kRuntime, "cannot load ONNX Runtime from " + library_path +
                                                     ": " + (why ? why : "unknown error"));
    return g_init_status;
  }
  using GetApiBaseFn = const OrtApiBase* (*)();
  auto get_api_base = reinterpret_cast<GetApiBaseFn>(dlsym(handle, "OrtGetApiBase"));
  if (get_api_base == nullptr) {
    g_init_status = Status(StatusCode::kRuntime, library_path + " has no OrtGetApiBase symbol");
    dlclose(handle);
    return g_init_status;
  }
  const OrtApiBase* base = get_api_base();
  const char* version = base->GetVersionString();
  const OrtApi* api = base->GetApi(kOrtApiVersion);
  if (api == nullptr) {
    g_init_status = Status(StatusCode::kRuntime,
                           "ONNX Runtime " + std::string(version ? version : "?") + " at " +
                               library_path + " does not offer C API version " +
                               std::to_string(kOrtApiVersion) + " (needs 1.23 or newer)");
    dlclose(handle);
    return g_init_status;
  }

  OrtEnv* env = nullptr;
  Status status = FromOrtStatus(api, api->CreateEnv(ORT_LOGGING_LEVEL_ERROR, "sentencekit", &env),
                                StatusCode::kRuntime, "creating the ONNX Runtime environment");
  if (!status.ok()) {
    g_init_status = status;
    return status;
  }

  auto* runtime = new OrtRuntime();
  runtime->library_handle_ = handle;
  runtime->api_ = api;
  runtime->env_ = env;
  runtime->version_ = version ? version : "";
  runtime->library_path_ = library_path;
  g_runtime = runtime;
  g_init_status = Status::Ok();
  return g_init_status;
}

OrtRuntime* OrtRuntime::Get() {
  std::lock_guard<std::mutex> lock(g_init_mutex);
  return g_runtime;
}

}  // namespace sk::ort
