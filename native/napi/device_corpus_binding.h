// Search over a GPU-resident corpus (runtime::CudaCorpus) for lib/device-corpus.ts:
//
//   cudaCorpusCreate(rows: Float32Array | Int8Array, numRows, dim, type, device) → Promise<handle>
//   cudaCorpusSearch(handle, queries, numQueries, topK, cosine) → Promise<{ ids, scores, perQuery }>
//   cudaCorpusDispose(handle)
//
// The handle is an External holding a shared pointer: a search in flight keeps its own
// reference, so dispose() never frees device memory under a running search.
#pragma once

#include <napi.h>

namespace sk::napi {

void InitDeviceCorpus(Napi::Env env, Napi::Object exports);

}  // namespace sk::napi
