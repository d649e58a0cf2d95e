// Reading plain values out of the options objects lib/ passes. lib/ validates first, so a
// wrong type here is a bug in lib/ and throws a TypeError naming the field.
#pragma once

#include <napi.h>

#include <string>
#include <vector>

namespace sk::napi {

std::string GetString(const Napi::Object& object, const char* key);
double GetNumber(const Napi::Object& object, const char* key, double fallback);
bool GetBool(const Napi::Object& object, const char* key, bool fallback);
std::vector<std::string> GetStringArray(const Napi::Object& object, const char* key);
// Copies a JS array of strings into UTF-8 std::strings (lone surrogates become U+FFFD).
std::vector<std::string> ToStringVector(Napi::Env env, const Napi::Value& value, const char* what);

}  // namespace sk::napi
