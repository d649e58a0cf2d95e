// Per-environment state of the addon (one per Node main thread or worker_thread), freed by
// Node when that environment is torn down.
#pragma once

#include <napi.h>

#include <string>
#include <typeindex>
#include <unordered_map>

namespace sk::napi {

struct AddonData {
  // The JavaScript SentenceKitError class, handed over once by lib/binding.ts so native
  // errors are real instances with a stable `code`.
  Napi::FunctionReference error_class;
  // Each native model class's constructor and owner thread name (napi/model_wrap.h), by the
  // pipeline class it wraps.
  struct ModelClass {
    Napi::FunctionReference constructor;
    const char* owner_thread = nullptr;  // null: its jobs run on the libuv pool
  };
  std::unordered_map<std::type_index, ModelClass> model_classes;
  // Directory holding this .node file; libonnxruntime.so.1 sits beside it.
  std::string addon_dir;
};

inline AddonData& GetAddonData(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }

}  // namespace sk::napi
