// Addon entry point: per-environment state, the error class hand-over, and each wrapped class.
#include <napi.h>

#include <string>

#include "core/config.h"
#include "core/dynamic_library.h"
#include "kernels/bf16x3_gemm.h"
#include "kernels/int8_gemm.h"
#include "kernels/kernels.h"
#include "napi/addon_data.h"
#include "napi/cuda_probe.h"
#include "napi/device_corpus_binding.h"
#include "napi/image_preprocess_binding.h"
#include "napi/model_bindings.h"
#include "napi/ort_library.h"
#include "napi/search_worker.h"
#include "napi/similarity_binding.h"
#include "runtime/ort_runtime.h"

namespace sk::napi {
namespace {

// The directory of this .node file, found from the address of one of its own functions.
std::string AddonDirectory() { return core::ModuleDirectory(reinterpret_cast<const void*>(&AddonDirectory)); }

// setErrorClass(SentenceKitError): native errors become instances of it.
Napi::Value SetErrorClass(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsFunction()) {
    throw Napi::TypeError::New(info.Env(), "setErrorClass expects a constructor");
  }
  GetAddonData(info.Env()).error_class = Napi::Persistent(info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

// runtimeInfo(): what this process loaded, for diagnostics and bench reports.
Napi::Value RuntimeInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object result = Napi::Object::New(env);
  ort::OrtRuntime* runtime = ort::OrtRuntime::Get();
  result.Set("onnxRuntimeLoaded", Napi::Boolean::New(env, runtime != nullptr));
  result.Set("onnxRuntimeVersion", runtime ? Napi::Value(Napi::String::New(env, runtime->version()))
                                           : env.Null());
  result.Set("onnxRuntimeLibrary", Napi::String::New(env, runtime ? runtime->library_path()
                                                                  : OrtLibraryPath(env)));
  result.Set("cpuLevel", Napi::String::New(env, kernels::CpuLevelName(kernels::ActiveCpuLevel())));
  // The CPU engine's GEMM kernels here: int8 "amx", "avx512-vnni" or "portable" (far slower
  // than ONNX Runtime's int8 on such a CPU); bf16x3 "amx", "avx512" or "portable".
  result.Set("int8EngineKernel", Napi::String::New(env, kernels::Int8GemmKernel()));
  result.Set("bf16x3EngineKernel", Napi::String::New(env, kernels::Bf16x3GemmKernel()));
  // The SENTENCEKIT_* variables native code read (core/config.h), as set; lib adds its own.
  Napi::Object environment = Napi::Object::New(env);
  for (const ConfigVariable& variable : ConfigVariablesSet()) environment.Set(variable.name, variable.value);
  result.Set("environment", environment);
  return result;
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  data->addon_dir = AddonDirectory();
  env.SetInstanceData(data);  // deleted by Node when this environment shuts down
  // Loaded with the first ONNX model (OrtRuntime::Acquire), never for the own engine's. Without it
  // (the musl and macOS x64 packages ship none) an ONNX model's session reports why.
  ort::OrtRuntime::SetLibraryPath(OrtLibraryPath(env));
  exports.Set("setErrorClass", Napi::Function::New(env, SetErrorClass, "setErrorClass"));
  exports.Set("runtimeInfo", Napi::Function::New(env, RuntimeInfo, "runtimeInfo"));
  InitSentenceEncoder(env, exports);
  InitStaticEmbedding(env, exports);
  InitCrossEncoder(env, exports);
  InitSparseEncoders(env, exports);
  InitClipModel(env, exports);
  InitSearch(env, exports);
  InitCudaProbe(env, exports);
  InitDeviceCorpus(env, exports);
  InitSimilarity(env, exports);
  InitImagePreprocess(env, exports);
  return exports;
}

}  // namespace sk::napi

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return sk::napi::Init(env, exports); }

NODE_API_MODULE(sentencekit, InitAddon)
