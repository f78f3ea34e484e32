#include "hotspot/window.hpp"

#include <cctype>
#include <cstdio>

#include "hotspot/error.hpp"
#include "util/text.hpp"
#include "util/time.hpp"

namespace hotspot {

namespace {

constexpr const char* kDayNames[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
constexpr const char* kDayNamesLong[7] = {"monday", "tuesday", "wednesday", "thursday",
                                          "friday", "saturday", "sunday"};

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

int parse_day(const std::string& item, const std::string& text) {
  std::string s;
  for (char c : item)
    if (c != ' ') s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (int k = 0; k < 7; ++k)
    if (s == kDayNames[k] || s == kDayNamesLong[k]) return k;
  throw ParameterError("days", "'" + text + "': unknown day '" + item +
                                   "'; use mon tue wed thu fri sat sun, ranges (mon-fri, fri-mon) and lists (sat,sun)");
}

// Days since 1970-01-01 of a YYYY-MM-DD date.
std::int64_t day_of(const std::string& date, const char* parameter) {
  try {
    return local_midnight(date, 0, parameter) / 86400;
  } catch (const UsageError& e) {
    throw ParameterError(parameter, "'" + date + "': expected a date YYYY-MM-DD");
  }
}

}  // namespace

const char* weekday_name(int weekday) { return kDayNames[weekday]; }

bool TimeWindow::any() const {
  return first_day != std::numeric_limits<std::int64_t>::min() ||
         last_day != std::numeric_limits<std::int64_t>::max() || by_hours || weekdays != 0x7F;
}

TimeWindow::Miss TimeWindow::classify(std::int64_t t, int utc_offset_minutes) const {
  const std::int64_t local = t + static_cast<std::int64_t>(utc_offset_minutes) * 60;
  std::int64_t day = floor_div(local, 86400);
  const int minute = static_cast<int>((local - day * 86400) / 60);
  if (by_hours) {
    const bool in = h0 < h1 ? (minute >= h0 && minute < h1) : (minute >= h0 || minute < h1);
    if (!in) return Miss::kHour;
    if (h1 < h0 && minute < h1) --day;  // the small hours belong to the evening's shift
  }
  if (day < first_day || day > last_day) return Miss::kDate;
  // 0 = Monday; 1970-01-01 was a Thursday.
  const auto weekday = static_cast<unsigned>(((day + 3) % 7 + 7) % 7);
  if (!(weekdays >> weekday & 1u)) return Miss::kWeekday;
  return Miss::kInside;
}

void set_window_from(TimeWindow& w, const std::string& date) {
  w.from = date;
  w.first_day = date.empty() ? std::numeric_limits<std::int64_t>::min() : day_of(date, "from");
}

void set_window_to(TimeWindow& w, const std::string& date) {
  w.to = date;
  w.last_day = date.empty() ? std::numeric_limits<std::int64_t>::max() : day_of(date, "to");
}

void set_window_hours(TimeWindow& w, const std::string& hours) {
  w.hours = hours;
  w.by_hours = !hours.empty();
  if (hours.empty()) return;
  const auto dash = hours.find('-');
  if (dash == std::string::npos) throw ParameterError("hours", "'" + hours + "': expected HH:MM-HH:MM, e.g. 22:00-06:00");
  try {
    w.h0 = parse_hhmm(hours.substr(0, dash), "hours");
    w.h1 = parse_hhmm(hours.substr(dash + 1), "hours");
  } catch (const UsageError&) {
    throw ParameterError("hours", "'" + hours + "': expected HH:MM-HH:MM, e.g. 22:00-06:00");
  }
  if (w.h0 == w.h1) throw ParameterError("hours", "'" + hours + "' is empty; leave it out for the whole day");
}

void set_window_days(TimeWindow& w, const std::string& text) {
  w.days = text;
  if (text.empty()) {
    w.weekdays = 0x7F;
    return;
  }
  unsigned mask = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    const std::string item = text.substr(start, comma - start);
    if (item.find_first_not_of(' ') == std::string::npos)
      throw ParameterError("days", "'" + text + "': empty item; e.g. mon-fri or sat,sun");
    const std::size_t dash = item.find('-');
    if (dash == std::string::npos) {
      mask |= 1u << parse_day(item, text);
    } else {
      const int a = parse_day(item.substr(0, dash), text), b = parse_day(item.substr(dash + 1), text);
      for (int d = a;; d = (d + 1) % 7) {
        mask |= 1u << d;
        if (d == b) break;
      }
    }
    start = comma + 1;
  }
  w.weekdays = mask;
}

namespace {

// "28d" / "8w" -> days; -1 when the text is not a count of days or weeks.
std::int64_t span_days(const std::string& text) {
  if (text.size() < 2 || text.size() > 7) return -1;
  const char unit = text.back();
  if (unit != 'd' && unit != 'w') return -1;
  std::int64_t n = 0;
  for (std::size_t k = 0; k + 1 < text.size(); ++k) {
    if (!std::isdigit(static_cast<unsigned char>(text[k]))) return -1;
    n = n * 10 + (text[k] - '0');
  }
  return unit == 'w' ? 7 * n : n;
}

std::int64_t resolve_date(const std::string& text, std::int64_t as_of, const char* parameter) {
  if (text == "today") return as_of;
  if (!text.empty() && text[0] == '-') {
    const std::int64_t n = span_days(text.substr(1));
    if (n < 0)
      throw ParameterError(parameter, "'" + text + "': expected YYYY-MM-DD, today, -Nd or -Nw (e.g. -28d, -8w)");
    return as_of - n;
  }
  return day_of(text, parameter);
}

}  // namespace

std::int64_t local_day(std::int64_t t, int utc_offset_minutes) {
  return floor_div(t + static_cast<std::int64_t>(utc_offset_minutes) * 60, 86400);
}

bool is_relative_date(const std::string& text) { return text == "today" || (!text.empty() && text[0] == '-'); }

std::string day_text(std::int64_t day) {
  // Inverse of days_from_civil (H. Hinnant's civil_from_days).
  const std::int64_t z = day + 719468, era = floor_div(z, 146097), doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = yoe + era * 400 + (m <= 2);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld", static_cast<long long>(y), static_cast<long long>(m),
                static_cast<long long>(d));
  return buf;
}

void set_window_dates(TimeWindow& w, const std::string& from, const std::string& to, const std::string& last,
                      std::int64_t as_of_day) {
  if (!last.empty()) {
    if (!from.empty() || !to.empty())
      throw ParameterError("last", "'" + last + "' sets both dates; leave out from and to");
    const std::int64_t n = span_days(last);
    if (n < 1) throw ParameterError("last", "'" + last + "': expected a number of days or weeks, e.g. 28d or 4w");
    set_window_from(w, day_text(as_of_day - n + 1));
    set_window_to(w, day_text(as_of_day));
    return;
  }
  set_window_from(w, from.empty() ? "" : day_text(resolve_date(from, as_of_day, "from")));
  set_window_to(w, to.empty() ? "" : day_text(resolve_date(to, as_of_day, "to")));
}

void check_window(const TimeWindow& w) {
  if (w.last_day < w.first_day) throw ParameterError("from", "'" + w.from + "' is after the last date '" + w.to + "'");
}

std::vector<char> select_categories(const Dictionary& categories, const std::vector<std::string>& wanted) {
  if (wanted.empty()) return {};
  std::vector<char> ok(categories.size(), 0);
  for (const auto& want : wanted) {
    bool found = false;
    for (std::size_t k = 0; k < categories.size(); ++k)
      if (categories[static_cast<std::uint32_t>(k)] == want) ok[k] = 1, found = true;
    if (!found) {
      // Quoted where a category holds a comma ('theft, attempted'): the list reads unambiguously.
      throw ParameterError("categories", "'" + want +
                                             "' matches no incident; categories present: " +
                                             name_list(categories.labels()));
    }
  }
  return ok;
}

WindowMiss window_miss(const TimeWindow& w, const std::vector<char>& category_ok,
                       std::uint32_t category, std::int64_t t_utc, bool date_only,
                       int utc_offset_minutes) {
  if (!category_ok.empty() && (category == Dictionary::kNone || !category_ok[category]))
    return WindowMiss::kCategory;
  if (!w.any()) return WindowMiss::kInside;
  if (t_utc == kNoTime || (date_only && w.by_hours)) return WindowMiss::kUntimed;
  switch (w.classify(t_utc, utc_offset_minutes)) {
    case TimeWindow::Miss::kInside: return WindowMiss::kInside;
    case TimeWindow::Miss::kHour: return WindowMiss::kHour;
    case TimeWindow::Miss::kDate: return WindowMiss::kDate;
    case TimeWindow::Miss::kWeekday: return WindowMiss::kWeekday;
  }
  return WindowMiss::kInside;
}

WindowSelection select_window(const Incidents& inc, const TimeWindow& w,
                              const std::vector<char>& category_ok, int utc_offset_minutes) {
  WindowSelection s;
  s.index.reserve(inc.size());
  for (std::size_t i = 0; i < inc.size(); ++i) {
    const bool date_only = inc.date_only(i);
    switch (window_miss(w, category_ok, inc.category[i], inc.time_utc[i], date_only,
                        utc_offset_minutes)) {
      case WindowMiss::kInside: s.index.push_back(i); break;
      case WindowMiss::kCategory: ++s.by_category; break;
      case WindowMiss::kUntimed:
        ++s.no_time;
        if (date_only && inc.time_utc[i] != kNoTime) ++s.date_only;
        break;
      case WindowMiss::kHour: ++s.by_hour; break;
      case WindowMiss::kDate:
        ++s.by_date;
        break;
      case WindowMiss::kWeekday:
        ++s.by_weekday;
        break;
    }
  }
  return s;
}

}  // namespace hotspot
