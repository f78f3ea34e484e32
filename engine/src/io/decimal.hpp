#pragma once
// The common shape of a coordinate in a CSV file ("106.594820", "-7", "20.5") read in a few
// nanoseconds. libstdc++'s std::from_chars(double) goes through strtod and costs ~60 ns a number,
// which made the two coordinates a large share of reading a row.
#include <cstdint>
#include <string_view>

namespace hotspot {

// Parses [-]digits[.digits] with at most 15 significant digits and at most 22 after the point,
// nothing else (no exponent, no sign '+', no spaces); returns false for anything else, and the
// caller then uses std::from_chars. The result is the correctly rounded double, bit for bit what
// std::from_chars returns: the digits form an integer m < 10^15 < 2^53 and the divisor 10^k
// (k <= 22) is a double exactly, so the one IEEE division m / 10^k is correctly rounded
// (Clinger's fast path).
inline bool parse_plain_decimal(std::string_view s, double* out) {
  static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                      1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  const char* p = s.data();
  const char* const end = p + s.size();
  const bool negative = p != end && *p == '-';
  if (negative) ++p;
  std::uint64_t m = 0;
  int digits = 0, significant = 0, decimals = 0;
  bool point = false;
  for (; p != end; ++p) {
    const char c = *p;
    if (c >= '0' && c <= '9') {
      ++digits;
      if (point) ++decimals;
      if (m == 0 && c == '0') continue;  // leading zeros are not significant
      if (++significant > 15) return false;
      m = m * 10 + static_cast<std::uint64_t>(c - '0');
    } else if (c == '.' && !point) {
      point = true;
    } else {
      return false;
    }
  }
  if (digits == 0 || decimals > 22) return false;
  const double v = static_cast<double>(m) / kPow10[decimals];
  *out = negative ? -v : v;
  return true;
}

}  // namespace hotspot
