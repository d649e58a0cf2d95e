#include "napi/texts_arg.h"

#include "napi/errors.h"
#include "napi/js_values.h"

namespace sk::napi {

TextsArg TextsArg::Read(Napi::Env env, const Napi::Value& value, const char* what) {
  TextsArg texts;
  if (value.IsArray()) {
    texts.strings_ = ToStringVector(env, value, what);
    texts.count_ = texts.strings_.size();
    return texts;
  }
  const std::string expected = std::string("expected a string[] or packed texts for ") + what;
  if (!value.IsObject()) ThrowTypeError(env, expected);
  const Napi::Object object = value.As<Napi::Object>();
  const Napi::Value bytes = object.Get("bytes"), offsets = object.Get("offsets");
  if (!bytes.IsTypedArray() || bytes.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array ||
      !offsets.IsTypedArray() || offsets.As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array) {
    ThrowTypeError(env, expected);
  }
  const Napi::Uint8Array byte_array = bytes.As<Napi::Uint8Array>();
  const Napi::Uint32Array offset_array = offsets.As<Napi::Uint32Array>();
  const size_t entries = offset_array.ElementLength();
  if (entries == 0 || offset_array[0] != 0) ThrowTypeError(env, std::string("packed offsets must start at 0 for ") + what);
  for (size_t i = 1; i < entries; ++i) {
    if (offset_array[i] < offset_array[i - 1] || offset_array[i] > byte_array.ByteLength()) {
      ThrowTypeError(env, std::string("packed offsets must rise within the bytes for ") + what);
    }
  }
  texts.count_ = entries - 1;
  texts.packed_data_ = reinterpret_cast<const char*>(byte_array.Data());
  texts.packed_offsets_ = offset_array.Data();
  texts.bytes_ = Napi::Persistent(byte_array);
  texts.offsets_ = Napi::Persistent(offset_array);
  texts.unpacked_ = false;
  return texts;
}

const std::vector<std::string>& TextsArg::Strings() {
  if (!unpacked_) {
    strings_.reserve(count_);
    for (size_t i = 0; i < count_; ++i) {
      strings_.emplace_back(packed_data_ + packed_offsets_[i], packed_offsets_[i + 1] - packed_offsets_[i]);
    }
    unpacked_ = true;
  }
  return strings_;
}

std::vector<std::string> TextsArg::TakeStrings() {
  Strings();
  return std::move(strings_);
}

}  // namespace sk::napi
