// Reading the options lib/ passes to every load*(): files, length limit and ORT threads.
#pragma once

#include <napi.h>

#include "pipeline/cuda_placement.h"
#include "pipeline/model_session.h"
#include "pipeline/cpu_engine_placement.h"

namespace sk::napi {

// { modelPath, tokenizerPath, tokenizerJson?, maxLength, lowercase?, paddingSide?, truncationSide?, padToken?,
//   intraOpThreads?, allowSpinning? }
pipeline::ModelFiles ReadModelFiles(const Napi::Object& options);

// { device?, modelDir?, cudaDtype? }: device 'cuda' (lib/ has already probed it) places the
// model in the CUDA engine beside this addon, reading the folder's model.safetensors.
pipeline::CudaPlacement ReadCudaPlacement(const Napi::Object& options);

// { cpuEngine?, modelDir?, intraOpThreads?, allowSpinning? }: cpuEngine 'int8' or 'bf16x3' runs
// the transformer in sentencekit's CPU engine at that precision from the folder's
// model.safetensors, on intraOpThreads lanes that poll between parallel sections when
// allowSpinning.
pipeline::CpuEnginePlacement ReadCpuEnginePlacement(const Napi::Object& options);

// A call's maxLength argument: undefined or 0 keeps the length the model loaded with, else a
// positive integer (TypeError otherwise).
size_t ReadMaxLength(Napi::Env env, const Napi::Value& value);

// A promise already rejected with ERR_DISPOSED, for calls on a disposed model.
Napi::Promise RejectDisposed(Napi::Env env);

}  // namespace sk::napi
