#pragma once
// ISO 8601 timestamps <-> seconds since the Unix epoch (UTC).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hotspot {

// Accepts YYYY-MM-DD, optionally followed by 'T' or ' ' and HH:MM[:SS[.fff]], optionally followed
// by Z, +HH:MM, +HHMM or +HH. A timestamp without an offset is local time at
// naive_offset_minutes. Returns nullopt and sets *why on failure, also for a time outside
// years 0001-9999 in UTC.
std::optional<std::int64_t> parse_iso8601(std::string_view text, int naive_offset_minutes,
                                          std::string* why);

// The times we accept: years 0001-9999 in UTC, the range ISO 8601 (and GeoPackage, QGIS, SQLite's
// date functions) write without an extended year. Outside it an incident is a bad_timestamp.
constexpr std::int64_t kMinTimeUtc = -62135596800;  // 0001-01-01T00:00:00Z
constexpr std::int64_t kMaxTimeUtc = 253402300799;  // 9999-12-31T23:59:59Z
inline bool time_in_range(std::int64_t t) { return t >= kMinTimeUtc && t <= kMaxTimeUtc; }

// "2024-03-05T15:14:09Z"
std::string format_utc(std::int64_t seconds);

// format_utc for millions of times (a layer's rows): the same text, with the date part from a
// cache by day (a layer's times fall on a few hundred days) and the time of day written here,
// where format_utc's snprintf and string would dominate a writer's row.
class UtcText {
 public:
  // The text of t, valid until the next call.
  std::string_view operator()(std::int64_t t);

 private:
  struct Day {
    std::int64_t day = 0;
    std::size_t size = 0;  // of "YYYY-MM-DDT"; 0: an empty slot
    char text[24];
  };
  static constexpr std::size_t kSlots = 1024;  // by day modulo kSlots
  std::vector<Day> days_;
  std::string whole_;  // a year too long for a slot
  char buf_[48];
};

// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d);

// Minutes after local midnight from "HH:MM" (24:00 allowed, as the end of a day); throws
// UsageError naming `option`.
int parse_hhmm(const std::string& s, const std::string& option);

// Local midnight of a YYYY-MM-DD date at UTC offset offset_min, as UTC seconds; throws UsageError
// naming `option`.
std::int64_t local_midnight(const std::string& date, int offset_min, const std::string& option);

}  // namespace hotspot
