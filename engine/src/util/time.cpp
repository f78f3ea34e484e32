#include "util/time.hpp"

#include <cstdio>
#include <cstring>

#include "hotspot/error.hpp"

namespace hotspot {

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

std::optional<std::int64_t> fail(std::string* why, const char* reason) {
  if (why) *why = reason;
  return std::nullopt;
}

}  // namespace

std::optional<std::int64_t> parse_iso8601(std::string_view s, int naive_offset_minutes,
                                          std::string* why) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  if (s.empty()) return fail(why, "empty timestamp");
  int y, mo, d, h = 0, mi = 0, sec = 0;
  if (!digits(s, 0, 4, &y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, &mo) ||
      s[7] != '-' || !digits(s, 8, 2, &d))
    return fail(why, "expected an ISO 8601 date YYYY-MM-DD");
  if (mo < 1 || mo > 12) return fail(why, "month out of range");
  if (d < 1 || d > days_in_month(y, mo)) return fail(why, "day out of range for the month");
  std::size_t pos = 10;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == ' ')) {
    ++pos;
    if (!digits(s, pos, 2, &h) || pos + 2 >= s.size() || s[pos + 2] != ':' ||
        !digits(s, pos + 3, 2, &mi))
      return fail(why, "expected a time HH:MM after the date");
    pos += 5;
    if (pos < s.size() && s[pos] == ':') {
      if (!digits(s, pos + 1, 2, &sec)) return fail(why, "expected seconds after HH:MM:");
      pos += 3;
      if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
        ++pos;
        std::size_t start = pos;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
        if (pos == start) return fail(why, "expected digits after the decimal point");
      }
    }
    if (h > 23 || mi > 59 || sec > 60) return fail(why, "time of day out of range");
  }
  int offset = naive_offset_minutes;
  if (pos < s.size()) {
    char c = s[pos];
    if (c == 'Z' || c == 'z') {
      offset = 0;
      ++pos;
    } else if (c == '+' || c == '-') {
      int oh, om = 0;
      if (!digits(s, pos + 1, 2, &oh)) return fail(why, "bad UTC offset");
      pos += 3;
      if (pos < s.size() && s[pos] == ':') ++pos;
      if (pos < s.size()) {
        if (!digits(s, pos, 2, &om)) return fail(why, "bad UTC offset");
        pos += 2;
      }
      if (oh > 14 || om > 59) return fail(why, "UTC offset out of range");
      offset = (c == '-' ? -1 : 1) * (oh * 60 + om);
    }
    if (pos != s.size()) return fail(why, "unexpected text after the timestamp");
  }
  std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  const std::int64_t t = days * 86400 + h * 3600 + mi * 60 + std::min(sec, 59) - offset * 60;
  if (!time_in_range(t)) return fail(why, "outside years 0001-9999 (UTC)");
  return t;
}

std::string format_utc(std::int64_t t) {
  std::int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  std::int64_t rem = t - days * 86400;
  // civil_from_days (H. Hinnant)
  std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02dZ", static_cast<long long>(y), m,
                d, static_cast<int>(rem / 3600), static_cast<int>(rem / 60 % 60),
                static_cast<int>(rem % 60));
  return buf;
}

std::string_view UtcText::operator()(std::int64_t t) {
  const std::int64_t day = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  const auto rem = static_cast<int>(t - day * 86400);
  if (days_.empty()) days_.resize(kSlots);
  Day& d = days_[static_cast<std::size_t>(day) & (kSlots - 1)];
  if (d.size == 0 || d.day != day) {
    const std::string s = format_utc(day * 86400);
    const std::size_t size = s.find('T') + 1;
    if (size > sizeof d.text) return whole_ = format_utc(t);
    d.day = day, d.size = size;
    std::memcpy(d.text, s.data(), size);
  }
  std::memcpy(buf_, d.text, d.size);
  char* p = buf_ + d.size;
  for (int v : {rem / 3600, rem / 60 % 60, rem % 60})
    *p++ = static_cast<char>('0' + v / 10), *p++ = static_cast<char>('0' + v % 10), *p++ = ':';
  p[-1] = 'Z';
  return {buf_, static_cast<std::size_t>(p - buf_)};
}

int parse_hhmm(const std::string& s, const std::string& option) {
  int h = -1, m = -1;
  char tail = 0;
  if (std::sscanf(s.c_str(), "%d:%d%c", &h, &m, &tail) != 2 || h < 0 || h > 24 || m < 0 || m > 59 ||
      (h == 24 && m))
    throw UsageError(option + " '" + s + "': expected HH:MM-HH:MM, e.g. 22:00-06:00");
  return h * 60 + m;
}

std::int64_t local_midnight(const std::string& date, int offset_min, const std::string& option) {
  unsigned y = 0, mo = 0, d = 0;
  char tail = 0;
  if (std::sscanf(date.c_str(), "%4u-%2u-%2u%c", &y, &mo, &d, &tail) != 3 || mo < 1 || mo > 12 ||
      d < 1 || static_cast<int>(d) > days_in_month(static_cast<int>(y), static_cast<int>(mo)))
    throw UsageError(option + " '" + date + "': expected a date YYYY-MM-DD");
  return days_from_civil(y, mo, d) * 86400 - static_cast<std::int64_t>(offset_min) * 60;
}

}  // namespace hotspot
