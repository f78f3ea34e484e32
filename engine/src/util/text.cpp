#include "util/text.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <set>

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

std::string list_item(std::string_view name, std::string_view sep) {
  const bool ambiguous = name.find(',') != std::string_view::npos ||
                         (!sep.empty() && name.find(sep) != std::string_view::npos) ||
                         (!name.empty() && (name.front() == ' ' || name.back() == ' '));
  if (!ambiguous) return std::string(name);
  const char q = name.find('\'') == std::string_view::npos ? '\'' : '"';
  return q + std::string(name) + q;
}

std::string name_list(const std::vector<std::string>& names, std::string_view sep) {
  std::string s;
  for (std::size_t k = 0; k < names.size(); ++k) {
    if (k) s += sep;
    s += list_item(names[k], sep);
  }
  return s;
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

std::vector<std::string> wrap_to_width(std::string_view s, std::size_t width, std::size_t indent) {
  std::vector<std::string> lines;
  indent = std::min(indent, width / 2);
  std::string line;
  std::size_t line_width = 0;
  bool fresh = true;  // nothing on the line yet but its indent
  for (std::size_t i = 0; i <= s.size();) {
    const std::size_t end = std::min(s.find(' ', i), s.size());
    const std::string_view word = s.substr(i, end - i);
    const std::size_t w = display_width(word);
    if (!fresh && line_width + 1 + w > width) {
      lines.push_back(line);
      line.assign(indent, ' '), line_width = indent, fresh = true;
    }
    if (!fresh) line += ' ', ++line_width;
    line += word, line_width += w, fresh = false;
    i = end + 1;
  }
  lines.push_back(line);
  for (auto& l : lines) l = truncate_to_width(l, width);
  return lines;
}

std::string fit_to_width(std::string_view s, std::size_t width, bool align_right) {
  std::string t = truncate_to_width(s, width);
  const std::string pad(width - display_width(t), ' ');
  return align_right ? pad + t : t + pad;
}

namespace {

// Length of the valid UTF-8 sequence at s[i] (1 for ASCII), or 0 when the bytes there are not one.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  const std::size_t len = c >= 0xC2 && c <= 0xDF   ? 2
                          : (c >> 4) == 0xE        ? 3
                          : c >= 0xF0 && c <= 0xF4 ? 4
                                                   : 0;
  if (len == 0 || i + len > s.size()) return 0;
  std::uint32_t cp = c & (0xFFu >> (len + 1));
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b >> 6) != 2) return 0;
    cp = (cp << 6) | (b & 0x3Fu);
  }
  const bool overlong = (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
  if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

std::string ascii_lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

}  // namespace

std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) >> 6) == 2)
    --cut;  // s[cut] continues a sequence
  return s.substr(0, cut);
}

std::vector<std::string> unique_field_names(const std::vector<std::string>& labels,
                                            std::string_view prefix,
                                            const std::vector<std::string>& taken) {
  std::set<std::string> used;
  for (const auto& t : taken) used.insert(ascii_lower(t));
  std::vector<std::string> out;
  out.reserve(labels.size());
  for (const auto& label : labels) {
    std::string base(prefix);
    for (std::size_t i = 0; i < label.size();) {
      const std::size_t len = utf8_sequence(label, i);
      const auto c = static_cast<unsigned char>(label[i]);
      if (len > 1 || (len == 1 && std::isalnum(c))) {
        base.append(label, i, len);
        i += len;
      } else {
        base += '_';
        ++i;
      }
    }
    base = std::string(utf8_prefix(base, kMaxFieldNameBytes));
    std::string name = base;
    for (int k = 2; used.count(ascii_lower(name)); ++k) {
      const std::string suffix = "_" + std::to_string(k);
      name = std::string(utf8_prefix(base, kMaxFieldNameBytes - suffix.size())) + suffix;
    }
    used.insert(ascii_lower(name));
    out.push_back(std::move(name));
  }
  return out;
}

std::size_t json_nesting_depth(std::string_view text, std::size_t stop_after) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;  // skips the escaped character, a quote included
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
      if (deepest > stop_after) break;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

std::string with_unit(double v, std::string_view unit) {
  char buf[64];
  const double a = std::fabs(v);
  if (!std::isfinite(v) || a >= 1e15 || (a > 0 && a < 0.01)) {
    std::snprintf(buf, sizeof buf, "%g", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f", v);
    std::string t(buf);
    while (t.back() == '0') t.pop_back();
    if (t.back() == '.') t.pop_back();
    if (t == "-0") t = "0";
    if (t == "1" && unit == "data units") unit = "data unit";
    return t + " " + std::string(unit);
  }
  return std::string(buf) + " " + std::string(unit);
}

std::string days_text(double d) { return with_unit(d, d == 1 ? "day" : "days"); }

}  // namespace hotspot
