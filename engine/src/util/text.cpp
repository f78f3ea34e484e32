#include "util/text.hpp"

namespace hotspot {

namespace {

// The code point starting at s[i] and its length in bytes; an invalid or truncated sequence is
// one byte long and decodes to U+FFFD.
char32_t decode(std::string_view s, std::size_t i, std::size_t* len) {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (n == 0 || i + n > s.size()) {
    *len = 1;
    return c < 0x80 ? c : 0xFFFD;
  }
  char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1Fu) : n == 3 ? (c & 0x0Fu) : (c & 0x07u);
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b >> 6) != 2) {
      *len = 1;
      return 0xFFFD;
    }
    cp = (cp << 6) | (b & 0x3Fu);
  }
  *len = n;
  return cp;
}

bool combining(char32_t cp) { return cp >= 0x0300 && cp <= 0x036F; }

}  // namespace

std::size_t display_width(std::string_view s) {
  std::size_t w = 0;
  for (std::size_t i = 0, len = 0; i < s.size(); i += len)
    if (!combining(decode(s, i, &len))) ++w;
  return w;
}

std::string truncate_to_width(std::string_view s, std::size_t width) {
  if (display_width(s) <= width) return std::string(s);
  if (width == 0) return {};
  // Keep characters while they and the ellipsis fit; combining marks ride with their base.
  std::size_t w = 0, end = 0;
  for (std::size_t i = 0, len = 0; i < s.size(); i += len) {
    const bool mark = combining(decode(s, i, &len));
    if (!mark && w + 1 > width - 1) break;
    if (!mark) ++w;
    end = i + len;
  }
  return std::string(s.substr(0, end)) + "\xE2\x80\xA6";  // U+2026 …
}

std::string fit_to_width(std::string_view s, std::size_t width, bool align_right) {
  std::string t = truncate_to_width(s, width);
  const std::string pad(width - display_width(t), ' ');
  return align_right ? pad + t : t + pad;
}

}  // namespace hotspot
