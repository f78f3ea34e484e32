#pragma once
// Which incidents an analysis or a patrol plan looks at: a time window in local time and a set
// of categories. One implementation for every caller (the kde step, hotspot top), so the same
// window always selects the same incidents.
//
// The window is a set of shifts: each local day from `from` to `to` (inclusive) whose weekday is
// selected, from the start of `hours` to its end. When the hours wrap midnight, the hours after
// midnight belong to the shift that began the evening before: Friday's 22:00-04:00 shift includes
// Saturday 01:00, and with --to on that Friday it is still in the window.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "hotspot/ingest.hpp"
#include "hotspot/table.hpp"

namespace hotspot {

struct TimeWindow {
  // Local days since 1970-01-01, inclusive. DEFAULT: no limit.
  std::int64_t first_day = std::numeric_limits<std::int64_t>::min();
  std::int64_t last_day = std::numeric_limits<std::int64_t>::max();
  bool by_hours = false;  // DEFAULT: all day
  int h0 = 0, h1 = 0;     // minutes after local midnight, [h0, h1), wrapping when h1 < h0
  unsigned weekdays = 0x7F;  // bit k: weekday k (0 = Monday). DEFAULT: every day
  // As given (YYYY-MM-DD, HH:MM-HH:MM, mon-fri), for run_metadata and summaries.
  std::string from, to, hours, days;

  // Some time filter is set: incidents without a time are outside the window.
  bool any() const;
  // Why an incident time (UTC seconds) is outside, or kInside.
  enum class Miss { kInside, kDate, kHour, kWeekday };
  Miss classify(std::int64_t t_utc, int utc_offset_minutes) const;
  bool contains(std::int64_t t_utc, int utc_offset_minutes) const {
    return classify(t_utc, utc_offset_minutes) == Miss::kInside;
  }
};

// Each sets one part of a window from its text; an empty text clears it. They throw
// ParameterError naming "from", "to", "hours" or "days".
void set_window_from(TimeWindow& w, const std::string& date);   // YYYY-MM-DD
void set_window_to(TimeWindow& w, const std::string& date);     // YYYY-MM-DD
void set_window_hours(TimeWindow& w, const std::string& hours);  // HH:MM-HH:MM, not empty
void set_window_days(TimeWindow& w, const std::string& days);    // mon-fri, sat,sun, fri-mon, ...
// Dates relative to an as-of day (for plans made from a finished output, the as-of date its run
// recorded): "today" is that day, "-28d" and "-8w" are 28 days and 8 weeks before it.
bool is_relative_date(const std::string& text);
// Sets the window's dates from texts that are YYYY-MM-DD or relative (is_relative_date); `last`
// ("28d", "4w") is the N days ending at the as-of day: from = as_of - N + 1, to = as_of. `last`
// with `from` or `to` is refused. w.from and w.to hold the resolved YYYY-MM-DD dates. Throws
// ParameterError naming "from", "to" or "last".
void set_window_dates(TimeWindow& w, const std::string& from, const std::string& to,
                      const std::string& last, std::int64_t as_of_day);
// The local day (days since 1970-01-01) of a UTC time.
std::int64_t local_day(std::int64_t t_utc, int utc_offset_minutes);
// YYYY-MM-DD of a day number (days since 1970-01-01).
std::string day_text(std::int64_t day);
// Throws ParameterError("from", ...) when the window's dates are the wrong way round.
void check_window(const TimeWindow& w);
// "mon", "tue", ... for weekday 0..6.
const char* weekday_name(int weekday);

// One byte per category code: 1 for the categories named (exactly, after trimming), 0 for the
// others. Empty `wanted`: an empty vector, meaning every category. Throws
// ParameterError("categories", ...) for a name no incident has, listing the ones present.
std::vector<char> select_categories(const Dictionary& categories, const std::vector<std::string>& wanted);

// Why one incident is outside a window and a category choice, or kInside. An incident without a
// time is outside any window that sets something; with an hour window, a date-only incident (no
// time of day) is one without a time as well. `category_ok` is select_categories' answer (empty:
// every category, Dictionary::kNone included). The one decision every caller makes per incident.
enum class WindowMiss { kInside, kCategory, kUntimed, kDate, kHour, kWeekday };
WindowMiss window_miss(const TimeWindow& w, const std::vector<char>& category_ok,
                       std::uint32_t category, std::int64_t t_utc, bool date_only,
                       int utc_offset_minutes);

// The incidents a window and a category choice select (the kde and local analyses, hotspot top
// and evaluate all call this), with the others counted by reason.
struct WindowSelection {
  std::vector<std::size_t> index;  // selected, in input order
  // Left out by each filter: categories, dates (from/to), hours, days (weekdays), no time.
  std::int64_t by_category = 0, by_date = 0, by_hour = 0, by_weekday = 0, no_time = 0;
  std::int64_t date_only = 0;  // of no_time: date-only incidents outside an hour window
};
WindowSelection select_window(const Incidents& incidents, const TimeWindow& w,
                              const std::vector<char>& category_ok, int utc_offset_minutes);

}  // namespace hotspot
