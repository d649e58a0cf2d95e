// Lookups in the generated code point -> code points mappings (unicode_data.h).
#pragma once

#include <algorithm>
#include <string>

#include "tokenizer/unicode_data.h"

namespace sk::tok::unicode {

// Appends what `mapping` maps `c` to; false (nothing appended) when it has no entry for `c`.
inline bool AppendMapping(const data::Mapping& mapping, char32_t c, std::u32string* out) {
  const uint32_t* end = mapping.keys + mapping.size;
  const uint32_t* found = std::lower_bound(mapping.keys, end, static_cast<uint32_t>(c));
  if (found == end || *found != c) return false;
  const uint32_t span = mapping.spans[found - mapping.keys];
  out->append(mapping.pool + (span >> 8), span & 0xFF);
  return true;
}

}  // namespace sk::tok::unicode
