// Reading the positional arguments of the kernel bindings (search_worker, similarity_binding):
// shapes as numbers and matrices as TypedArrays read in place. Only lib/ calls these, after
// validating, so a mismatch here is a bug there and throws a TypeError naming the argument.
#pragma once

#include <napi.h>

#include <cstdint>
#include <type_traits>

#include "core/thread_pool.h"

namespace sk::napi {

// info[index] as a count or dimension: a number in [0, INT32_MAX], the range the kernels index.
size_t SizeArg(const Napi::CallbackInfo& info, size_t index, const char* what);

// The optional thread count at info[index] (the caller's options.threads): undefined or 0 is the
// shared pool (SENTENCEKIT_THREADS, else one per hardware thread: nullptr), n a process-wide pool
// of n threads (at most the hardware's) made on first use and kept, like the shared one.
ThreadPool* ThreadsArg(const Napi::CallbackInfo& info, size_t index);

// Throws unless `value` is a TypedArray of exactly `type` (a Uint8ClampedArray is not a
// Uint8Array here) with at least `count` elements.
void CheckTypedArrayArg(Napi::Env env, const Napi::Value& value, napi_typedarray_type type, size_t count,
                        const char* what);

// The TypedArray type that holds elements of T.
template <typename T>
constexpr napi_typedarray_type TypedArrayTypeOf() {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, int32_t> || std::is_same_v<T, int8_t> ||
                    std::is_same_v<T, uint8_t>,
                "the kernels read float, int32, int8 and uint8 arrays only");
  if constexpr (std::is_same_v<T, float>) return napi_float32_array;
  if constexpr (std::is_same_v<T, int32_t>) return napi_int32_array;
  if constexpr (std::is_same_v<T, int8_t>) return napi_int8_array;
  return napi_uint8_array;
}

// The data of `value`, a TypedArray of T with at least `count` elements, borrowed in place:
// the caller keeps `value` alive (a reference) for as long as it reads or writes the data.
template <typename T>
T* TypedArrayArg(Napi::Env env, const Napi::Value& value, size_t count, const char* what) {
  CheckTypedArrayArg(env, value, TypedArrayTypeOf<T>(), count, what);
  return value.As<Napi::TypedArrayOf<T>>().Data();
}

}  // namespace sk::napi
