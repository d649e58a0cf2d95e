#include "napi/js_values.h"

#include "napi/errors.h"

namespace sk::napi {

std::string GetString(const Napi::Object& object, const char* key) {
  Napi::Value value = object.Get(key);
  if (!value.IsString()) ThrowTypeError(object.Env(), std::string("expected string option ") + key);
  return value.As<Napi::String>().Utf8Value();
}

double GetNumber(const Napi::Object& object, const char* key, double fallback) {
  Napi::Value value = object.Get(key);
  if (value.IsUndefined()) return fallback;
  if (!value.IsNumber()) ThrowTypeError(object.Env(), std::string("expected number option ") + key);
  return value.As<Napi::Number>().DoubleValue();
}

bool GetBool(const Napi::Object& object, const char* key, bool fallback) {
  Napi::Value value = object.Get(key);
  if (value.IsUndefined()) return fallback;
  if (!value.IsBoolean()) ThrowTypeError(object.Env(), std::string("expected boolean option ") + key);
  return value.As<Napi::Boolean>().Value();
}

std::vector<std::string> GetStringArray(const Napi::Object& object, const char* key) {
  return ToStringVector(object.Env(), object.Get(key), key);
}

std::vector<std::string> ToStringVector(Napi::Env env, const Napi::Value& value, const char* what) {
  if (!value.IsArray()) ThrowTypeError(env, std::string("expected an array of strings for ") + what);
  Napi::Array array = value.As<Napi::Array>();
  const uint32_t length = array.Length();
  std::vector<std::string> strings;
  strings.reserve(length);
  for (uint32_t i = 0; i < length; ++i) {
    Napi::Value item = array.Get(i);
    if (!item.IsString()) {
      ThrowTypeError(env, std::string("expected a string at ") + what + "[" + std::to_string(i) + "]");
    }
    strings.push_back(item.As<Napi::String>().Utf8Value());
  }
  return strings;
}

}  // namespace sk::napi
