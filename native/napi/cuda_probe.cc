#include "napi/cuda_probe.h"

#include "napi/addon_data.h"
#include "runtime/cuda_backend.h"

namespace sk::napi {
namespace {

// { available, reason, deviceName?, computeCapability?, memoryBytes?, runtimeVersion?,
//   driverVersion?, cublasLtVersion? }. Synchronous: it opens a library and counts devices,
// with no CUDA context made.
Napi::Value CudaProbe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int device = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : 0;
  SkCudaDeviceInfo device_info{};
  const Status status = runtime::ProbeCuda(GetAddonData(env).addon_dir, device, &device_info);
  Napi::Object result = Napi::Object::New(env);
  result.Set("available", Napi::Boolean::New(env, status.ok()));
  result.Set("reason", status.ok() ? env.Null() : Napi::Value(Napi::String::New(env, status.message())));
  if (status.ok()) {
    result.Set("deviceName", Napi::String::New(env, device_info.device_name));
    result.Set("computeCapability", Napi::Number::New(env, device_info.compute_capability / 10.0));
    result.Set("memoryBytes", Napi::Number::New(env, static_cast<double>(device_info.total_memory_bytes)));
    result.Set("runtimeVersion", Napi::Number::New(env, device_info.runtime_version));
    result.Set("driverVersion", Napi::Number::New(env, device_info.driver_version));
    result.Set("cublasLtVersion", Napi::Number::New(env, device_info.cublaslt_version));
  }
  return result;
}

}  // namespace

void InitCudaProbe(Napi::Env env, Napi::Object exports) {
  exports.Set("cudaProbe", Napi::Function::New(env, CudaProbe, "cudaProbe"));
}

}  // namespace sk::napi
