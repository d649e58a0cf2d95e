// Reading the options lib/ passes to every load*(): files, length limit and ORT threads.
#pragma once

#include <napi.h>

#include "napi/errors.h"
#include "napi/js_values.h"
#include <vector>

#include "pipeline/dense_layer.h"
#include "pipeline/encoder_backend.h"

namespace sk::napi {

// The tokenizer of a model that runs no transformer (StaticEmbedding, a static sparse route):
// { tokenizerPath, tokenizerJson?, maxLength /* 0 = no truncation */ } into `files`' fields of
// those names.
template <typename Files>
void ReadStaticTokenizer(const Napi::Object& options, Files* files) {
  files->tokenizer_path = GetString(options, "tokenizerPath");
  if (options.Get("tokenizerJson").IsString()) files->tokenizer_json = GetString(options, "tokenizerJson");
  const double max_length = GetNumber(options, "maxLength", 0);
  if (!(max_length >= 0)) ThrowTypeError(options.Env(), "maxLength must be a non-negative integer");
  files->max_length = static_cast<size_t>(max_length);
}

// A Float32Array's values (TypeError naming `what` otherwise).
std::vector<float> CopyFloats(Napi::Env env, const Napi::Value& value, const char* what);

// options.dense, when an array: the Dense modules after pooling (or after a StaticEmbedding), each
// { inFeatures, outFeatures, weight, bias?, activation, useResidual?, residualWeight? }.
std::vector<pipeline::DenseLayer> ReadDenseLayers(const Napi::Object& options);

// A load*() call's one argument, its options object (TypeError otherwise).
Napi::Object LoadOptions(const Napi::CallbackInfo& info);

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

// options[key]: 'left' | 'right', or undefined (kTokenizer: the tokenizer's own); TypeError otherwise.
pipeline::TokenizerSide ReadSide(const Napi::Object& options, const char* key);

// A call's maxLength argument: undefined or 0 keeps the length the model loaded with, else a
// positive integer (TypeError otherwise).
size_t ReadMaxLength(Napi::Env env, const Napi::Value& value);

// A promise already rejected with ERR_DISPOSED, for calls on a disposed model.
Napi::Promise RejectDisposed(Napi::Env env);

}  // namespace sk::napi
