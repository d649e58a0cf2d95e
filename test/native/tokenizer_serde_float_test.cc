// Unigram scores are read as `tokenizers` reads them (serde_json's default float parser, not
// correctly rounded): every literal in tokenizers/serde-floats.json, made by
// test/tools/make_tokenizer_fixtures.py from what tokenizers itself loaded, must convert to the
// same double, bit for bit.
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

#include "check.h"
#include "fixtures.h"
#include "tokenizer/serde_json_float.h"

namespace {

bool SameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

TEST(tokenizer_scores_convert_as_serde_json_does) {
  const sk::JsonValue cases = sktest::ReadFixtureJson("tokenizers/serde-floats.json");
  size_t checked = 0, not_correctly_rounded = 0, failures = 0;
  for (const sk::JsonValue& item : cases.array()) {
    const std::string& literal = item.array()[0].string();
    const double want = std::strtod(item.array()[1].string().c_str(), nullptr);
    const double got = sk::tok::SerdeJsonF64(literal);
    checked += 1;
    if (!SameBits(std::strtod(literal.c_str(), nullptr), want)) not_correctly_rounded += 1;
    if (!SameBits(got, want) && failures++ < 10) CHECK(false) << literal << ": " << got << " where tokenizers has " << want;
  }
  CHECK(failures == 0) << failures << " of " << checked << " literals convert differently";
  CHECK(checked > 10000) << "only " << checked << " literals";
  // The fixture covers the literals where the two readers part, or the check would say nothing.
  CHECK(not_correctly_rounded > 100) << "only " << not_correctly_rounded << " literals that a correctly rounded parse reads differently";
  std::cout << "  " << checked << " literals, " << not_correctly_rounded << " of them not what strtod gives\n";
}

TEST(tokenizer_serde_floats_out_of_range_is_nan) {
  CHECK(std::isnan(sk::tok::SerdeJsonF64("1e400")));
  CHECK(std::isnan(sk::tok::SerdeJsonF64("-1.5e309")));
  CHECK(sk::tok::SerdeJsonF64("1e-400") == 0.0);
  CHECK(std::signbit(sk::tok::SerdeJsonF64("-0")));
}
