#pragma once
// Times as analysts' spreadsheets write them: ISO 8601, day/month/year with or without a time,
// Excel serial days, Unix epochs, or any strftime-like pattern. A format is compiled once and then
// parses each value without allocating.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hotspot {

struct TimeFormat {
  enum class Kind { kIso, kPattern, kExcelSerial, kEpochS, kEpochMs };
  Kind kind = Kind::kIso;
  std::string name;  // as given ("dmy", "%d/%m/%Y %H:%M")
  // kPattern: the directives, with the presets dmy/mdy expanded. A value may stop at the
  // whitespace before the first time-of-day directive: it is then date-only.
  std::string pattern;
};

// Compiles a --time-format value; throws ParameterError("time_format", ...) on an unknown
// directive, a pattern without a full date, or an empty value.
TimeFormat compile_time_format(const std::string& text);

struct ParsedTime {
  std::int64_t utc = 0;    // seconds since the epoch; for a date-only value, local midnight
  bool date_only = false;  // no time of day in the value
};

// Parses one value in `format`; a value without an offset is local time at naive_offset_minutes.
// nullopt with *why set when it does not parse (also for times outside years 0001-9999).
std::optional<ParsedTime> parse_time(std::string_view text, const TimeFormat& format,
                                     int naive_offset_minutes, std::string* why);

// The presets, in the order detection tries them.
const std::vector<std::string>& time_format_presets();

}  // namespace hotspot
