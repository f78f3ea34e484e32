#include "util/time_format.hpp"

#include <charconv>
#include <cmath>
#include <cstring>

#include "hotspot/error.hpp"
#include "hotspot/ingest.hpp"
#include "util/time.hpp"

namespace hotspot {

namespace {

// Excel's day 0 is 1899-12-30 (its 1900 leap-year bug makes day 60 the phantom 29 February;
// serials from 61 on, i.e. from 1 March 1900, are right, which covers any incident data).
constexpr std::int64_t kExcelEpochDays = -25569;

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int days_in_month(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool is_space(char c) { return c == ' ' || c == '\t'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Reads between min_n and max_n digits.
bool read_int(std::string_view s, std::size_t& i, int min_n, int max_n, int* out) {
  int v = 0, n = 0;
  while (n < max_n && i < s.size() && is_digit(s[i])) v = v * 10 + (s[i++] - '0'), ++n;
  *out = v;
  return n >= min_n;
}

bool starts_with_ci(std::string_view s, std::size_t i, const char* word) {
  std::size_t n = std::strlen(word);
  if (i + n > s.size()) return false;
  for (std::size_t k = 0; k < n; ++k)
    if (lower(s[i + k]) != word[k]) return false;
  return true;
}

bool is_time_directive(char c) {
  return c == 'H' || c == 'I' || c == 'M' || c == 'S' || c == 'T' || c == 'p';
}

// The loose presets: '/' in the pattern matches / - or ., seconds and fractions are optional.
struct Preset {
  const char* name;
  const char* pattern;
};
constexpr Preset kLoose[] = {{"dmy", "%d/%m/%Y %H:%M:%S"}, {"mdy", "%m/%d/%Y %H:%M:%S"}};

std::optional<ParsedTime> fail(std::string* why, std::string reason) {
  if (why) *why = std::move(reason);
  return std::nullopt;
}

std::optional<ParsedTime> parse_pattern(std::string_view s, const std::string& pat, bool loose,
                                        int naive_offset, std::string* why) {
  int y = -1, mo = -1, d = -1, h = 0, mi = 0, sec = 0, pm = -1, offset = naive_offset;
  bool hour12 = false;
  std::size_t i = 0, p = 0;
  bool date_only = true;
  while (p < pat.size()) {
    if (i == s.size()) {
      // The value may end before its time of day (date-only), or before the seconds (loose).
      std::size_t q = p;
      while (q < pat.size() && is_space(pat[q])) ++q;
      if (date_only && q + 1 < pat.size() && pat[q] == '%' && is_time_directive(pat[q + 1]) &&
          q > p)
        break;
      if (loose && !date_only && pat.compare(p, 3, ":%S") == 0) break;
      return fail(why, "the value ends before the format '" + pat.substr(p) + "'");
    }
    const char c = pat[p];
    if (is_space(c)) {
      if (!is_space(s[i]) && !(loose && s[i] == 'T')) return fail(why, "expected a space");
      while (i < s.size() && (is_space(s[i]) || (loose && s[i] == 'T'))) ++i;
      while (p < pat.size() && is_space(pat[p])) ++p;
      continue;
    }
    if (c != '%') {
      const bool sep_ok = loose && c == '/' && (s[i] == '-' || s[i] == '.');
      if (s[i] != c && !sep_ok)
        return fail(why, std::string("expected '") + c + "' at position " + std::to_string(i + 1));
      ++i, ++p;
      continue;
    }
    const char k = p + 1 < pat.size() ? pat[p + 1] : '\0';
    p += 2;
    bool ok = true;
    if (is_time_directive(k)) date_only = false;
    switch (k) {
      case 'Y': ok = read_int(s, i, 4, 4, &y); break;
      case 'y':
        ok = read_int(s, i, 2, 2, &y);
        y += y < 69 ? 2000 : 1900;  // POSIX strptime's pivot
        break;
      case 'm': ok = read_int(s, i, 1, 2, &mo); break;
      case 'd': ok = read_int(s, i, 1, 2, &d); break;
      case 'H': ok = read_int(s, i, 1, 2, &h); break;
      case 'I': ok = read_int(s, i, 1, 2, &h), hour12 = true; break;
      case 'M': ok = read_int(s, i, 1, 2, &mi); break;
      case 'S':
        ok = read_int(s, i, 1, 2, &sec);
        if (ok && i + 1 < s.size() && (s[i] == '.' || s[i] == ',') && is_digit(s[i + 1])) {
          ++i;
          while (i < s.size() && is_digit(s[i])) ++i;  // fractions of a second are dropped
        }
        break;
      case 'b': {
        static const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                        "jul", "aug", "sep", "oct", "nov", "dec"};
        ok = false;
        for (int m = 0; m < 12 && !ok; ++m)
          if (starts_with_ci(s, i, kMonths[m])) mo = m + 1, i += 3, ok = true;
        while (ok && i < s.size() && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
          ++i;  // "Sep", "Sept", "September"
        break;
      }
      case 'p':
        // English AM/PM and Excel's Vietnamese SA (sáng) / CH (chiều).
        if (starts_with_ci(s, i, "am") || starts_with_ci(s, i, "sa")) pm = 0, i += 2;
        else if (starts_with_ci(s, i, "pm") || starts_with_ci(s, i, "ch")) pm = 1, i += 2;
        else ok = false;
        break;
      case 'z':
        if (s[i] == 'Z' || s[i] == 'z') {
          offset = 0, ++i;
        } else if (s[i] == '+' || s[i] == '-') {
          const int sign = s[i] == '-' ? -1 : 1;
          int oh = 0, om = 0;
          ++i;
          ok = read_int(s, i, 2, 2, &oh);
          if (ok && i < s.size() && s[i] == ':') ++i;
          if (ok && i < s.size() && is_digit(s[i])) ok = read_int(s, i, 2, 2, &om);
          ok = ok && oh <= 14 && om <= 59;
          offset = sign * (oh * 60 + om);
        } else {
          ok = false;
        }
        break;
      case '%': ok = s[i] == '%', ++i; break;
      default: return fail(why, "unknown directive");
    }
    if (!ok)
      return fail(why, std::string("expected %") + k + " at position " + std::to_string(i + 1));
  }
  if (i != s.size()) return fail(why, "unexpected text after the time: '" +
                                          std::string(s.substr(i, 20)) + "'");
  if (hour12) {
    if (h < 1 || h > 12 || pm < 0) return fail(why, "12-hour time needs 1-12 and AM/PM");
    h = h % 12 + (pm == 1 ? 12 : 0);
  }
  if (mo < 1 || mo > 12) return fail(why, "month out of range");
  if (d < 1 || d > days_in_month(y, mo)) return fail(why, "day out of range for the month");
  if (h > 23 || mi > 59 || sec > 60) return fail(why, "time of day out of range");
  const std::int64_t days =
      days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  const std::int64_t t = days * 86400 + h * 3600 + mi * 60 + std::min(sec, 59) - offset * 60LL;
  if (!time_in_range(t)) return fail(why, "outside years 0001-9999 (UTC)");
  return ParsedTime{t, date_only};
}

std::optional<double> number(std::string_view s) {
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

}  // namespace

const std::vector<std::string>& time_format_presets() {
  static const std::vector<std::string> k = {"iso",          "dmy",     "mdy",
                                             "excel-serial", "epoch-s", "epoch-ms"};
  return k;
}

TimeFormat compile_time_format(const std::string& text) {
  TimeFormat f;
  f.name = text;
  if (text.empty() || text == "iso") {
    f.kind = TimeFormat::Kind::kIso;
    f.name = "iso";
    return f;
  }
  if (text == "excel-serial") return f.kind = TimeFormat::Kind::kExcelSerial, f;
  if (text == "epoch-s") return f.kind = TimeFormat::Kind::kEpochS, f;
  if (text == "epoch-ms") return f.kind = TimeFormat::Kind::kEpochMs, f;
  f.kind = TimeFormat::Kind::kPattern;
  for (const Preset& p : kLoose)
    if (text == p.name) return f.pattern = p.pattern, f;
  bool year = false, month = false, day = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') continue;
    if (i + 1 == text.size())
      throw ParameterError("time_format", "'" + text + "' ends with a lone %");
    const char k = text[++i];
    switch (k) {
      case 'Y': case 'y': year = true; break;
      case 'm': case 'b': month = true; break;
      case 'd': day = true; break;
      case 'H': case 'I': case 'M': case 'S': case 'p': case 'z': case '%': break;
      case 'T': break;
      case 'F': year = month = day = true; break;
      default:
        throw ParameterError("time_format", "'" + text + "': unknown directive %" +
                                                std::string(1, k) +
                                                " (use %Y %y %m %b %d %H %I %M %S %p %z %T %F %%, "
                                                "or a preset: iso, dmy, mdy, excel-serial, "
                                                "epoch-s, epoch-ms)");
    }
  }
  // %T and %F spelled out, so the parser knows a few directives only.
  std::string pat;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      pat += text[i];
      continue;
    }
    const char k = text[++i];
    pat += k == 'T' ? "%H:%M:%S" : k == 'F' ? "%Y-%m-%d" : std::string{'%', k};
  }
  f.pattern = pat;
  if (!year || !month || !day)
    throw ParameterError("time_format", "'" + text +
                                            "' needs a year (%Y or %y), a month (%m or %b) and a "
                                            "day (%d)");
  return f;
}

std::optional<ParsedTime> parse_time(std::string_view text, const TimeFormat& f,
                                     int naive_offset_minutes, std::string* why) {
  std::string_view s = trim(text);
  if (s.empty()) return fail(why, "empty time");
  switch (f.kind) {
    case TimeFormat::Kind::kIso: {
      auto t = parse_iso8601(s, naive_offset_minutes, why);
      if (!t) return std::nullopt;
      return ParsedTime{*t, s.size() == 10};
    }
    case TimeFormat::Kind::kPattern: {
      const bool loose = f.name == "dmy" || f.name == "mdy";
      return parse_pattern(s, f.pattern, loose, naive_offset_minutes, why);
    }
    case TimeFormat::Kind::kExcelSerial: {
      auto v = number(s);
      if (!v || *v < 1 || *v >= 2958466) return fail(why, "not an Excel serial day number");
      const double whole = std::floor(*v);
      const auto secs = static_cast<std::int64_t>(std::llround((*v - whole) * 86400));
      const std::int64_t t = (static_cast<std::int64_t>(whole) + kExcelEpochDays) * 86400 +
                             secs - naive_offset_minutes * 60LL;
      if (!time_in_range(t)) return fail(why, "outside years 0001-9999 (UTC)");
      return ParsedTime{t, *v == whole && s.find('.') == std::string_view::npos};
    }
    case TimeFormat::Kind::kEpochS:
    case TimeFormat::Kind::kEpochMs: {
      auto v = number(s);
      if (!v) return fail(why, "not a number of seconds since 1970");
      const double secs = f.kind == TimeFormat::Kind::kEpochMs ? *v / 1000 : *v;
      if (!(secs >= static_cast<double>(kMinTimeUtc) && secs <= static_cast<double>(kMaxTimeUtc)))
        return fail(why, "outside years 0001-9999 (UTC)");
      return ParsedTime{static_cast<std::int64_t>(std::floor(secs)), false};
    }
  }
  return fail(why, "unknown time format");
}

std::optional<std::string> detect_time_format(const std::vector<std::string>& samples) {
  // Presets first (they cover separators and optional seconds), then common spreadsheet patterns.
  static const std::vector<std::string> kCandidates = [] {
    std::vector<std::string> c = time_format_presets();
    for (const char* p : {"%Y/%m/%d %H:%M:%S", "%d/%m/%y %H:%M", "%d/%m/%Y %I:%M:%S %p",
                          "%m/%d/%Y %I:%M:%S %p", "%d/%m/%Y %I:%M %p", "%m/%d/%Y %I:%M %p",
                          "%d-%b-%Y %H:%M:%S", "%d %b %Y %H:%M", "%b %d %Y %H:%M",
                          "%Y%m%d %H%M%S", "%Y%m%d"})
      c.emplace_back(p);
    return c;
  }();
  std::size_t n = 0;
  for (const auto& s : samples) n += !trim(s).empty();
  if (n == 0) return std::nullopt;
  std::size_t best = 0;
  const std::string* best_name = nullptr;
  // A plausible incident time is in years 1900-2100: this keeps integers such as 20250901 from
  // reading as epoch seconds in 1970, or ids as Excel serials.
  const std::int64_t lo = days_from_civil(1900, 1, 1) * 86400;
  const std::int64_t hi = days_from_civil(2100, 12, 31) * 86400;
  for (const auto& name : kCandidates) {
    const TimeFormat f = compile_time_format(name);
    std::size_t ok = 0;
    for (const auto& s : samples) {
      if (trim(s).empty()) continue;
      auto t = parse_time(s, f, 0, nullptr);
      ok += t && t->utc >= lo && t->utc <= hi;
    }
    if (ok > best) best = ok, best_name = &name;
    if (best == n) break;
  }
  if (!best_name || 2 * best < n) return std::nullopt;
  return *best_name;
}

void check_time_format(const std::string& format) { compile_time_format(format); }

}  // namespace hotspot
