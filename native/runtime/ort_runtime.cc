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
std::string g_library_path;

}  // namespace

Status FromOrtStatus(const OrtApi* api, OrtStatus* status, StatusCode code,
                     const std::string& context) {
  if (status == nullptr) return Status::Ok();
  std::string message = context + ": " + api->GetErrorMessage(status);
  api->ReleaseStatus(status);
  return Status(code, std::move(message));
}

void OrtRuntime::SetLibraryPath(const std::string& library_path) {
  std::lock_guard<std::mutex> lock(g_init_mutex);
  if (!g_init_attempted) g_library_path = library_path;
}

OrtRuntime* OrtRuntime::Acquire() {
  std::lock_guard<std::mutex> lock(g_init_mutex);
  if (!g_init_attempted) {
    g_init_attempted = true;
    g_init_status = g_library_path.empty()
                        ? Status(StatusCode::kRuntime, "no ONNX Runtime library was configured")
                        : Load(g_library_path, &g_runtime);
  }
  return g_runtime;
}

Status OrtRuntime::Initialize(const std::string& library_path) {
  SetLibraryPath(library_path);
  return Acquire() != nullptr ? Status::Ok() : InitStatus();
}

OrtRuntime* OrtRuntime::Get() {
  std::lock_guard<std::mutex> lock(g_init_mutex);
  return g_runtime;
}

Status OrtRuntime::InitStatus() {
  std::lock_guard<std::mutex> lock(g_init_mutex);
  return g_init_status;
}

Status OrtRuntime::Load(const std::string& library_path, OrtRuntime** out) {
  struct stat library_file;
  if (stat(library_path.c_str(), &library_file) != 0) {
    // The platform packages for musl and macOS x64 ship no ONNX Runtime: none is published for them.
    return Status(StatusCode::kRuntime,
                  "no ONNX Runtime at " + library_path +
                      ": this platform's package has none (ONNX Runtime is not built for musl or "
                      "macOS x64). Run BERT, RoBERTa or MPNet models on sentencekit's CPU engine "
                      "(backend 'sentencekit-int8' or 'sentencekit-bf16x3', from model.safetensors), "
                      "or set SENTENCEKIT_ORT_LIBRARY to an ONNX Runtime 1.23 or newer library");
  }
  // Opened RTLD_LOCAL: ORT's symbols must not leak into other addons in the same process.
  std::string why;
  void* handle = core::OpenLibrary(library_path, &why);
  if (handle == nullptr) {
    return Status(StatusCode::kRuntime, "cannot load ONNX Runtime from " + library_path + ": " + why);
  }
  using GetApiBaseFn = const OrtApiBase* (*)();
  auto get_api_base = reinterpret_cast<GetApiBaseFn>(core::LibrarySymbol(handle, "OrtGetApiBase"));
  if (get_api_base == nullptr) {
    core::CloseLibrary(handle);
    return Status(StatusCode::kRuntime, library_path + " has no OrtGetApiBase symbol");
  }
  const OrtApiBase* base = get_api_base();
  const char* version = base->GetVersionString();
  const OrtApi* api = base->GetApi(kOrtApiVersion);
  if (api == nullptr) {
    core::CloseLibrary(handle);
    return Status(StatusCode::kRuntime, "ONNX Runtime " + std::string(version ? version : "?") + " at " +
                                            library_path + " does not offer C API version " +
                                            std::to_string(kOrtApiVersion) + " (needs 1.23 or newer)");
  }

  OrtEnv* env = nullptr;
  SK_RETURN_IF_ERROR(FromOrtStatus(api, api->CreateEnv(ORT_LOGGING_LEVEL_ERROR, "sentencekit", &env),
                                   StatusCode::kRuntime, "creating the ONNX Runtime environment"));
  auto* runtime = new OrtRuntime();
  runtime->library_handle_ = handle;
  runtime->api_ = api;
  runtime->env_ = env;
  runtime->version_ = version ? version : "";
  runtime->library_path_ = library_path;
  *out = runtime;
  return Status::Ok();
}

}  // namespace sk::ort
