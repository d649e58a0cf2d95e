// JSON number text to double exactly as serde_json reads it by default (without its
// `float_roundtrip` feature), which is how `tokenizers` loads tokenizer.json. That reader is
// not correctly rounded: a literal of more than 15-16 significant digits (a significand past
// 2^53) is rounded to a double and then scaled by a power of ten, two roundings, so it can land
// one ulp away from strtod's value. Unigram scores are written with up to 17 digits, and a one-ulp
// difference flips Viterbi ties between segmentations of equal score, so the scores must be
// read the way `tokenizers` reads them.
#pragma once

#include <string_view>

namespace sk::tok {

// The double serde_json gives for `literal` (a valid JSON number), or NaN when serde_json
// would refuse it as out of range.
double SerdeJsonF64(std::string_view literal);

}  // namespace sk::tok
