#include "tokenizer/serde_json_float.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>

namespace sk::tok {
namespace {

constexpr uint64_t kU64Max = std::numeric_limits<uint64_t>::max();

// serde_json's overflow!(a * 10 + b, max): true when a * 10 + b would pass max.
bool Overflows(uint64_t a, uint64_t digit, uint64_t max) { return a >= max / 10 && (a > max / 10 || digit > max % 10); }

// serde_json's POW10 table: 1e0 … 1e308, each the correctly rounded double.
double Pow10(int exponent) {
  static const double* table = [] {
    static double values[309];
    for (int i = 0; i <= 308; ++i) values[i] = std::strtod(("1e" + std::to_string(i)).c_str(), nullptr);
    return values;
  }();
  return table[exponent];
}

// serde_json's f64_from_parts (the default, not float_roundtrip).
double FromParts(bool positive, uint64_t significand, int64_t exponent) {
  double f = static_cast<double>(significand);
  for (;;) {
    const int64_t magnitude = exponent < 0 ? -exponent : exponent;
    if (magnitude <= 308) {
      if (exponent >= 0) {
        f *= Pow10(static_cast<int>(magnitude));
        if (std::isinf(f)) return std::numeric_limits<double>::quiet_NaN();
      } else {
        f /= Pow10(static_cast<int>(magnitude));
      }
      break;
    }
    if (f == 0.0) break;
    if (exponent >= 0) return std::numeric_limits<double>::quiet_NaN();
    f /= 1e308;
    exponent += 308;
  }
  return positive ? f : -f;
}

}  // namespace

double SerdeJsonF64(std::string_view text) {
  size_t pos = 0;
  const bool positive = !(pos < text.size() && text[pos] == '-');
  if (!positive) ++pos;
  auto digit_at = [&](size_t at) { return at < text.size() && text[at] >= '0' && text[at] <= '9'; };
  uint64_t significand = 0;
  int64_t exponent = 0;
  bool integer = true;
  // The integer part: digits past u64's range only raise the exponent (parse_long_integer).
  while (digit_at(pos)) {
    const uint64_t digit = static_cast<uint64_t>(text[pos] - '0');
    if (Overflows(significand, digit, kU64Max)) {
      ++exponent;
    } else if (exponent == 0) {
      significand = significand * 10 + digit;
    } else {
      ++exponent;
    }
    ++pos;
  }
  if (exponent != 0) integer = false;  // parse_long_integer always ends as a float
  if (pos < text.size() && text[pos] == '.') {
    integer = false;
    ++pos;
    bool overflowed = false;
    // parse_decimal: once the significand would overflow, every later digit is dropped.
    while (digit_at(pos)) {
      const uint64_t digit = static_cast<uint64_t>(text[pos] - '0');
      if (!overflowed && Overflows(significand, digit, kU64Max)) overflowed = true;
      if (!overflowed) {
        significand = significand * 10 + digit;
        --exponent;
      }
      ++pos;
    }
  }
  if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
    integer = false;
    ++pos;
    bool positive_exp = true;
    if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) positive_exp = text[pos++] == '+';
    int64_t exp = 0;
    while (digit_at(pos)) {
      const int64_t digit = text[pos] - '0';
      if (exp >= std::numeric_limits<int32_t>::max() / 10 &&
          (exp > std::numeric_limits<int32_t>::max() / 10 || digit > std::numeric_limits<int32_t>::max() % 10)) {
        // parse_exponent_overflow: zero, or an error for a huge positive exponent.
        if (significand != 0 && positive_exp) return std::numeric_limits<double>::quiet_NaN();
        return positive ? 0.0 : -0.0;
      }
      exp = exp * 10 + digit;
      ++pos;
    }
    exponent = positive_exp ? exponent + exp : exponent - exp;
  }
  if (integer) {
    // A plain integer is a u64 or i64, then `as f64` (one rounding).
    const double value = static_cast<double>(significand);
    return positive ? value : -value;
  }
  return FromParts(positive, significand, exponent);
}

}  // namespace sk::tok
