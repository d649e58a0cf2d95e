// Reading the options lib/ passes to every load*(): files, length limit and ORT threads.
#pragma once

#include <napi.h>

#include "pipeline/encoder_backend.h"

namespace sk::napi {

// { modelPath, tokenizerPath, tokenizerJson?, maxLength, lowercase?, paddingSide?, truncationSide?, padToken?,
//   intraOpThreads?, allowSpinning? }
pipeline::ModelFiles ReadModelFiles(const Napi::Object& options);

// Where the model runs, as lib/ resolved it:
// - { device: 'cuda', modelDir, cudaDtype? } (lib/ has already probed it): the CUDA engine beside
//   this addon, reading the folder's model.safetensors;
// - { cpuEngine: 'int8' | 'bf16x3', modelDir, intraOpThreads?, allowSpinning? }: sentencekit's CPU
//   engine at that precision from the folder's model.safetensors, on intraOpThreads lanes that
//   poll between parallel sections when allowSpinning;
// - else ONNX Runtime on the files' modelPath.
pipeline::Placement ReadPlacement(const Napi::Object& options);

// A call's maxLength argument: undefined or 0 keeps the length the model loaded with, else a
// positive integer (TypeError otherwise).
size_t ReadMaxLength(Napi::Env env, const Napi::Value& value);

// A promise already rejected with ERR_DISPOSED, for calls on a disposed model.
Napi::Promise RejectDisposed(Napi::Env env);

}  // namespace sk::napi
