// cudaProbe(): whether the CUDA engine can run here, and if not, why (lib/device.ts turns that
// into ERR_CUDA_UNAVAILABLE for device 'cuda' and into the fallback reason for 'auto').
#pragma once

#include <napi.h>

namespace sk::napi {

void InitCudaProbe(Napi::Env env, Napi::Object exports);

}  // namespace sk::napi
