// preprocessImages: CLIP's image preprocessing (native/image) for a batch of decoded images,
// one Promise job on the libuv pool that writes the caller's preallocated Float32Array. Resolves with one entry per image: null, or
// the message saying why that image could not be preprocessed (its rows are left zero).
#pragma once

#include <napi.h>

namespace sk::napi {

void InitImagePreprocess(Napi::Env env, Napi::Object exports);

}  // namespace sk::napi
