// Where the addon looks for libonnxruntime.so.1.
#pragma once

#include <napi.h>

#include <string>

namespace sk::napi {

// $SENTENCEKIT_ORT_LIBRARY when set, else libonnxruntime.so.1 beside this .node file.
std::string OrtLibraryPath(Napi::Env env);

}  // namespace sk::napi
