#include "napi/kernel_args.h"

#include <algorithm>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "napi/errors.h"

namespace sk::napi {
namespace {

const char* TypedArrayName(napi_typedarray_type type) {
  switch (type) {
    case napi_float32_array: return "a Float32Array";
    case napi_int32_array: return "an Int32Array";
    case napi_int8_array: return "an Int8Array";
    case napi_uint8_array: return "a Uint8Array";
    default: return "a TypedArray";
  }
}

}  // namespace

ThreadPool* ThreadsArg(const Napi::CallbackInfo& info, size_t index) {
  if (info[index].IsUndefined()) return nullptr;
  // More threads than the hardware runs would only take turns.
  const size_t threads = std::min<size_t>(SizeArg(info, index, "threads"), std::max(1u, std::thread::hardware_concurrency()));
  if (threads == 0) return nullptr;
  static std::mutex mutex;
  static std::map<size_t, std::unique_ptr<ThreadPool>> pools;
  std::lock_guard<std::mutex> lock(mutex);
  std::unique_ptr<ThreadPool>& pool = pools[threads];
  if (!pool) pool = std::make_unique<ThreadPool>(threads);
  return pool.get();
}

size_t SizeArg(const Napi::CallbackInfo& info, size_t index, const char* what) {
  if (!info[index].IsNumber()) ThrowTypeError(info.Env(), std::string("expected a number for ") + what);
  const double value = info[index].As<Napi::Number>().DoubleValue();
  if (!(value >= 0) || value > static_cast<double>(std::numeric_limits<int32_t>::max())) {
    ThrowTypeError(info.Env(), std::string(what) + " out of range");
  }
  return static_cast<size_t>(value);
}

void CheckTypedArrayArg(Napi::Env env, const Napi::Value& value, napi_typedarray_type type, size_t count,
                        const char* what) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != type) {
    ThrowTypeError(env, std::string("expected ") + TypedArrayName(type) + " for " + what);
  }
  if (value.As<Napi::TypedArray>().ElementLength() < count) {
    ThrowTypeError(env, std::string(what) + " is shorter than its shape");
  }
}

}  // namespace sk::napi
