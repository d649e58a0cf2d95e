// The native model classes addon.cc defines, each over napi/model_wrap.h: its load*()
// export, its methods and the jobs they start, in one file per model class.
#pragma once

#include <napi.h>

namespace sk::napi {

// loadSentenceEncoder → NativeSentenceEncoder (sentence_encoder_binding.cc)
void InitSentenceEncoder(Napi::Env env, Napi::Object exports);
// loadStaticEmbedding → NativeStaticEmbedding, the same surface (static_embedding_binding.cc)
void InitStaticEmbedding(Napi::Env env, Napi::Object exports);
// loadCrossEncoder → NativeCrossEncoder (cross_encoder_binding.cc)
void InitCrossEncoder(Napi::Env env, Napi::Object exports);
// loadSparseEncoder → NativeSparseEncoder, loadStaticSparseEncoder → NativeStaticSparseEncoder
// (sparse_encoder_binding.cc)
void InitSparseEncoders(Napi::Env env, Napi::Object exports);
// loadClipModel → NativeClipModel (clip_model_binding.cc)
void InitClipModel(Napi::Env env, Napi::Object exports);

}  // namespace sk::napi
