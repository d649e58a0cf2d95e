// RoundToHalf against IEEE binary16 on every float16 value, every midpoint between two
// neighbours (ties to even) and points just beside each midpoint, subnormals and overflow
// included: the rounding StaticEmbedding's float16 emulation (pipeline/static_half.h) rests on.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "check.h"
#include "pipeline/static_half.h"

namespace {

// A binary16 bit pattern's value, decoded by its definition.
double HalfValue(uint16_t bits) {
  const int sign = bits >> 15 ? -1 : 1;
  const int exponent = (bits >> 10) & 0x1F;
  const int mantissa = bits & 0x3FF;
  if (exponent == 0) return sign * std::ldexp(mantissa, -24);
  if (exponent == 31) return mantissa == 0 ? sign * std::numeric_limits<double>::infinity() : std::nan("");
  return sign * std::ldexp(1024 + mantissa, exponent - 25);
}

}  // namespace

TEST(static_half_round_to_half_is_ieee_binary16) {
  for (uint32_t bits = 0; bits < 0x7C00; ++bits) {  // every finite non-negative float16 but the largest's successor
    const double value = HalfValue(static_cast<uint16_t>(bits));
    for (int sign : {1, -1}) {
      const float exact = static_cast<float>(sign * value);
      CHECK(sk::pipeline::RoundToHalf(exact) == exact) << "half bits " << bits;
      const double next = bits + 1 < 0x7C00 ? HalfValue(static_cast<uint16_t>(bits + 1)) : 65536.0;
      const double middle = (value + next) / 2;  // exact in float: float16 needs 11 bits, float has 24
      const double even = (bits & 1) == 0 ? value : next;
      const float tie = sk::pipeline::RoundToHalf(static_cast<float>(sign * middle));
      if (next == 65536.0) {
        CHECK(std::isinf(tie)) << "past 65504 rounds to infinity";
      } else {
        CHECK(tie == static_cast<float>(sign * even)) << "tie after half bits " << bits;
      }
      const float below = std::nextafter(static_cast<float>(middle), 0.0f);
      const float above = std::nextafter(static_cast<float>(middle), std::numeric_limits<float>::infinity());
      CHECK(sk::pipeline::RoundToHalf(sign * below) == static_cast<float>(sign * value)) << "below the tie after " << bits;
      if (next != 65536.0) {
        CHECK(sk::pipeline::RoundToHalf(sign * above) == static_cast<float>(sign * next)) << "above the tie after " << bits;
      }
    }
  }
  CHECK(std::isnan(sk::pipeline::RoundToHalf(std::numeric_limits<float>::quiet_NaN())));
  CHECK(sk::pipeline::RoundToHalf(1e-9f) == 0.0f);
}

TEST(static_half_round_to_bfloat16_is_ties_to_even) {
  for (uint32_t top = 0; top < 0x7F80; ++top) {  // every finite non-negative bfloat16
    for (uint32_t sign : {0u, 0x80000000u}) {
      const uint32_t bits = sign | (top << 16);
      float value, middle, next;
      std::memcpy(&value, &bits, 4);
      const uint32_t middle_bits = bits | 0x8000u, next_bits = sign | ((top + 1) << 16);
      std::memcpy(&middle, &middle_bits, 4);
      std::memcpy(&next, &next_bits, 4);
      CHECK(sk::pipeline::RoundToBfloat16(value) == value) << "bfloat16 bits " << top;
      CHECK(sk::pipeline::RoundToBfloat16(middle) == ((top & 1) == 0 ? value : next)) << "tie after " << top;
      CHECK(sk::pipeline::RoundToBfloat16(std::nextafter(middle, 0.0f)) == value) << "below the tie after " << top;
    }
  }
  CHECK(std::isnan(sk::pipeline::RoundToBfloat16(std::numeric_limits<float>::quiet_NaN())));
}

TEST(static_half_mean_divides_by_the_count_as_float16) {
  // 2,641 ones: the sum 2641 is 2640 in float16 and so is the count, so the mean is exactly 1.
  const float table[2] = {1.0f, 0.5f};
  std::vector<int64_t> ids(2641, 0);
  float out[1];
  sk::pipeline::HalfMean(table, 1, ids.data(), ids.size(), sk::pipeline::HalfFormat::kFloat16, out);
  CHECK(out[0] == 1.0f) << out[0];
  float row[2] = {0.0f, 0.0f};
  sk::pipeline::HalfNormalize(row, 2, sk::pipeline::HalfFormat::kFloat16);
  CHECK(row[0] == 0.0f && row[1] == 0.0f);
}
