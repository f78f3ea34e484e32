// parse_plain_decimal against std::from_chars, its brute-force twin: every string the fast path
// accepts must give the same double bit for bit, and the strings it declines must be left to
// from_chars (exponents, long mantissas, signs, spaces).
#include "io/decimal.hpp"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>


namespace hotspot {
namespace {

double from_chars_value(const std::string& s) {
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  EXPECT_EQ(ec, std::errc()) << s;
  EXPECT_EQ(end, s.data() + s.size()) << s;
  return v;
}

void expect_same_bits(const std::string& s) {
  double fast = 0;
  ASSERT_TRUE(parse_plain_decimal(s, &fast)) << s;
  const double ref = from_chars_value(s);
  EXPECT_EQ(std::memcmp(&fast, &ref, sizeof fast), 0) << s << ": " << fast << " vs " << ref;
}

TEST(PlainDecimal, CoordinatesAndEdgeShapes) {
  for (const char* s : {"106.594820", "20.896617", "-33.8688", "0", "-0", "7", "0.1", "0.3",
                        "5.", ".5", "-.5", "000123.4500", "999999999999999", "0.000000000000000000001",
                        "12345678901234.5", "0.0000000000000000000000", "900719925474.099"})
    expect_same_bits(s);
  double v = 1;
  ASSERT_TRUE(parse_plain_decimal("-0", &v));
  EXPECT_TRUE(std::signbit(v));
}

TEST(PlainDecimal, DeclinesWhatFromCharsMustRead) {
  double v = 0;
  for (const char* s : {"", "-", ".", "1e5", "1E5", "+1", " 1", "1 ", "1,5", "1.2.3", "0x10", "inf",
                        "nan", "--1", "1-", "1234567890123456",  // 16 significant digits
                        "123456789012345.0", "1.7976931348623157",
                        "0.00000000000000000000001"})  // 23 decimals
    EXPECT_FALSE(parse_plain_decimal(s, &v)) << s;
}

TEST(PlainDecimal, RandomDecimalsMatchFromCharsBitForBit) {
  std::mt19937_64 rng(17);
  std::uniform_int_distribution<int> digit(0, 9), len(1, 15), sign(0, 3);
  for (int n = 0; n < 200000; ++n) {
    const int digits = len(rng);
    std::uniform_int_distribution<int> point_at(0, digits);
    const int point = point_at(rng);
    std::string s = sign(rng) == 0 ? "-" : "";
    for (int i = 0; i < digits; ++i) {
      if (i == point && i > 0) s += '.';
      s += static_cast<char>('0' + digit(rng));
    }
    expect_same_bits(s);
  }
}

TEST(PlainDecimal, PrintedCoordinatesMatchFromChars) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> lon(-180, 180);
  for (int n = 0; n < 20000; ++n) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", n % 12, lon(rng));
    expect_same_bits(buf);
    std::snprintf(buf, sizeof buf, "%.17g", lon(rng));  // 17 digits: declined, from_chars reads it
    double v = 0;
    if (!parse_plain_decimal(buf, &v)) from_chars_value(buf);
  }
}

}  // namespace
}  // namespace hotspot
