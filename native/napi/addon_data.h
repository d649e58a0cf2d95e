// Per-environment state of the addon (one per Node main thread or worker_thread), freed by
// Node when that environment is torn down.
#pragma once

#include <napi.h>

#include <string>

namespace sk::napi {

struct AddonData {
  // The JavaScript SentenceKitError class, handed over once by lib/binding.ts so native
  // errors are real instances with a stable `code`.
  Napi::FunctionReference error_class;
  // Constructors of the wrapped native classes.
  Napi::FunctionReference sentence_encoder_class;
  Napi::FunctionReference cross_encoder_class;
  Napi::FunctionReference sparse_encoder_class;
  Napi::FunctionReference static_sparse_encoder_class;
  Napi::FunctionReference static_embedding_class;
  Napi::FunctionReference clip_model_class;
  // Directory holding this .node file; libonnxruntime.so.1 sits beside it.
  std::string addon_dir;
};

inline AddonData& GetAddonData(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }

}  // namespace sk::napi
