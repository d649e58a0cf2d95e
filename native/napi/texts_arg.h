// The texts of a model call, in either form the binding takes: a string[] (copied into
// std::strings here, on the main thread, since V8 strings can be read nowhere else), or the
// { bytes: Uint8Array, offsets: Uint32Array } that lib/packed-texts.ts builds (UTF-8 read in
// place; the strings are made on the worker thread). lib/ packs every call, in slices with
// the event loop let through between them, so a bulk encode no longer holds the JavaScript
// thread for the whole copy (5.6-7.1 ms at once for 3,000 texts of 5-200 words).
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sk::napi {

class TextsArg {
 public:
  // Throws a TypeError (a bug in lib/) on anything else, or on offsets that do not describe
  // consecutive ranges of `bytes`.
  static TextsArg Read(Napi::Env env, const Napi::Value& value, const char* what);

  size_t size() const { return count_; }
  // The texts; from the packed form they are built on the first call, which belongs on the
  // worker thread. The typed arrays stay referenced until this object is destroyed (on the
  // main thread, with the worker that holds it).
  const std::vector<std::string>& Strings();
  // Moves the texts out (Strings() first).
  std::vector<std::string> TakeStrings();

 private:
  std::vector<std::string> strings_;
  Napi::Reference<Napi::Uint8Array> bytes_;
  Napi::Reference<Napi::Uint32Array> offsets_;
  const char* packed_data_ = nullptr;
  const uint32_t* packed_offsets_ = nullptr;
  size_t count_ = 0;
  bool unpacked_ = true;
};

}  // namespace sk::napi
