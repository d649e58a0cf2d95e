// Reading the options lib/ passes to every load*(): files, length limit and ORT threads.
#pragma once

#include <napi.h>

#include "pipeline/model_session.h"

namespace sk::napi {

// { modelPath, tokenizerPath, maxLength, lowercase?, intraOpThreads?, allowSpinning?, backgroundThreads? }
pipeline::ModelFiles ReadModelFiles(const Napi::Object& options);

// A promise already rejected with ERR_DISPOSED, for calls on a disposed model.
Napi::Promise RejectDisposed(Napi::Env env);

// A promise already resolved with undefined (dispose() of a model already disposed).
Napi::Promise ResolvedUndefined(Napi::Env env);

}  // namespace sk::napi
