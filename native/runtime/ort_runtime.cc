#include "runtime/ort_runtime.h"

#include <sys/stat.h>

#include <mutex>

#include "core/dynamic_library.h"

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

  struct stat library_file;
  if (stat(library_path.c_str(), &library_file) != 0) {
    // The platform packages for musl and macOS x64 ship no ONNX Runtime: none is published for them.
    g_init_status = Status(StatusCode::kRuntime,
                           "no ONNX Runtime at " + library_path +
                               ": this platform's package has none (ONNX Runtime is not built for musl or "
                               "macOS x64). Run BERT, RoBERTa or MPNet models on sentencekit's CPU engine "
                               "(backend 'sentencekit-int8' or 'sentencekit-bf16x3', from model.safetensors), "
                               "or set SENTENCEKIT_ORT_LIBRARY to an ONNX Runtime 1.23 or newer library");
    return g_init_status;
  }
  // Opened RTLD_LOCAL: ORT's symbols must not leak into other addons in the same process.
  std::string why;
  void* handle = core::OpenLibrary(library_path, &why);
  if (handle == nullptr) {
    g_init_status = Status(StatusCode::kRuntime, "cannot load ONNX Runtime from " + library_path + ": " + why);
    return g_init_status;
  }
  using GetApiBaseFn = const OrtApiBase* (*)();
  auto get_api_base = reinterpret_cast<GetApiBaseFn>(core::LibrarySymbol(handle, "OrtGetApiBase"));
  if (get_api_base == nullptr) {
    g_init_status = Status(StatusCode::kRuntime, library_path + " has no OrtGetApiBase symbol");
    core::CloseLibrary(handle);
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
    core::CloseLibrary(handle);
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

Status OrtRuntime::InitStatus() {
  std::lock_guard<std::mutex> lock(g_init_mutex);
  return g_init_status;
}

}  // namespace sk::ort
