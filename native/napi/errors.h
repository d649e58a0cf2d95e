// Turning core Status values into JavaScript errors: SentenceKitError instances carrying the
// Status code string (ERR_MODEL_LOAD, ERR_TOKENIZER, ...), or TypeError for misuse of the
// native surface itself (TypeScript validates first, so those mean a bug in lib/).
#pragma once

#include <napi.h>

#include "core/status.h"

namespace sk::napi {

Napi::Error StatusToError(Napi::Env env, const Status& status);

// Throws a TypeError as a JavaScript exception (NAPI_CPP_EXCEPTIONS is on).
[[noreturn]] void ThrowTypeError(Napi::Env env, const std::string& message);

}  // namespace sk::napi
