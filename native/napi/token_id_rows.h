// Token-id rows as the bindings' encodeIds-style methods take them from lib/token-ids.ts'
// packTokenIds(): every row's ids in one Int32Array and each row's count in another.
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sk::napi {

// info[at] (ids) and info[at + 1] (counts) as rows, copied so the caller may reuse its arrays
// at once. A TypeError naming `signature` when either is not an Int32Array or the counts do
// not sum to ids.length.
std::vector<std::vector<int64_t>> ReadTokenIdRows(const Napi::CallbackInfo& info, size_t at, const char* signature);

}  // namespace sk::napi
