#include "hotspot/window.hpp"

#include <cctype>

#include "hotspot/error.hpp"
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
      std::string known;
      for (const auto& l : categories.labels()) known += (known.empty() ? "" : ", ") + l;
      throw ParameterError("categories", "'" + want + "' matches no incident; categories present: " + known);
    }
  }
  return ok;
}

}  // namespace hotspot
