// Extended grapheme clusters (UAX #29, with Unicode 15.1's Indic conjunct rule) as
// unicode-segmentation cuts them for tokenizers' Precompiled normalizer, over the properties
// the generated tables hold.
#pragma once

#include <cstddef>
#include <string_view>

namespace sk::tok::unicode {

// The end of the extended grapheme cluster that starts at text[begin] (begin < text.size()).
size_t GraphemeEnd(std::u32string_view text, size_t begin);

}  // namespace sk::tok::unicode
