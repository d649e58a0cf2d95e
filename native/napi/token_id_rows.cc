#include "napi/token_id_rows.h"

#include <string>

#include "napi/errors.h"

namespace sk::napi {

std::vector<std::vector<int64_t>> ReadTokenIdRows(const Napi::CallbackInfo& info, size_t at, const char* signature) {
  Napi::Env env = info.Env();
  const auto is_int32 = [&](size_t i) {
    return info.Length() > i && info[i].IsTypedArray() && info[i].As<Napi::TypedArray>().TypedArrayType() == napi_int32_array;
  };
  if (!is_int32(at) || !is_int32(at + 1)) ThrowTypeError(env, signature);
  const Napi::Int32Array ids = info[at].As<Napi::Int32Array>();
  const Napi::Int32Array counts = info[at + 1].As<Napi::Int32Array>();
  const std::string unbalanced = std::string(signature) + ": counts must be non-negative and sum to ids.length";
  std::vector<std::vector<int64_t>> rows(counts.ElementLength());
  size_t taken = 0;
  for (size_t r = 0; r < rows.size(); ++r) {
    const int32_t count = counts[r];
    if (count < 0 || static_cast<size_t>(count) > ids.ElementLength() - taken) ThrowTypeError(env, unbalanced);
    rows[r].assign(ids.Data() + taken, ids.Data() + taken + count);
    taken += static_cast<size_t>(count);
  }
  if (taken != ids.ElementLength()) ThrowTypeError(env, unbalanced);
  return rows;
}

}  // namespace sk::napi
