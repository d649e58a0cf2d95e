#include "napi/errors.h"

#include "napi/addon_data.h"

namespace sk::napi {

Napi::Error StatusToError(Napi::Env env, const Status& status) {
  const char* code = StatusCodeName(status.code());
  AddonData& data = GetAddonData(env);
  if (!data.error_class.IsEmpty()) {
    Napi::Value error = data.error_class.New({Napi::String::New(env, code),
                                              Napi::String::New(env, status.message())});
    return Napi::Error(env, error);
  }
  // Before lib/binding.ts hands over the class (only in tests of the raw addon).
  Napi::Error error = Napi::Error::New(env, status.message());
  error.Set("code", Napi::String::New(env, code));
  return error;
}

void ThrowTypeError(Napi::Env env, const std::string& message) {
  throw Napi::TypeError::New(env, message);
}

}  // namespace sk::napi
