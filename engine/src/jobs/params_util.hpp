#pragma once
// Converters the parameter tables share. Each checks one JSON value and returns it typed, or
// throws UsageError with the problem alone (apply_params puts the parameter's spelling in front).
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "hotspot/error.hpp"
#include "hotspot/jobs/params.hpp"
#include "hotspot/window.hpp"

namespace hotspot {

inline std::string param_text(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// A whole number in lo..hi.
inline std::int64_t int_in_range(const nlohmann::json& v, std::int64_t lo, std::int64_t hi) {
  if (!v.is_number_integer()) throw UsageError("expected a whole number, got " + param_text(v));
  const std::int64_t n = v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)
                             ? INT64_MAX
                             : v.get<std::int64_t>();
  if (n < lo || n > hi)
    throw UsageError("must be in " + std::to_string(lo) + ".." + std::to_string(hi) + " (got " + param_text(v) + ")");
  return n;
}

// A random seed: any whole number >= 0.
inline std::uint64_t seed_value(const nlohmann::json& v) {
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_number_integer() && v.get<std::int64_t>() >= 0) return static_cast<std::uint64_t>(v.get<std::int64_t>());
  throw UsageError("expected a whole number >= 0, got " + param_text(v));
}

// A finite number; with `positive`, > 0, else >= 0.
inline double length_value(const nlohmann::json& v, bool positive) {
  if (!v.is_number()) throw UsageError("expected a number, got " + param_text(v));
  const double d = v.get<double>();
  if (!std::isfinite(d) || (positive ? d <= 0 : d < 0))
    throw UsageError(std::string("must be ") + (positive ? "> 0" : ">= 0") + " (got " + param_text(v) + ")");
  return d;
}

// One of the names; the message lists them.
inline std::string one_of(const nlohmann::json& v, std::initializer_list<const char*> names) {
  const std::string s = param_text(v);
  std::string list;
  for (const char* n : names) {
    if (s == n) return s;
    list += (list.empty() ? "" : " | ") + std::string(n);
  }
  throw UsageError("'" + s + "': expected " + list);
}

// An analysis' name (a run holds several kde or local analyses, one per shift): a short
// identifier, the suffix of its layers (hotspot_zones_night) and what `top --window` takes.
inline std::string analysis_name(const nlohmann::json& v) {
  const std::string s = param_text(v);
  bool ok = !s.empty() && s.size() <= 24 && s[0] >= 'a' && s[0] <= 'z';
  for (char c : s) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  if (!ok)
    throw UsageError("'" + s +
                     "': expected a short name of lowercase letters, digits and _ (at most 24, "
                     "starting with a letter), such as night");
  return s;
}

// The window keys every analysis that filters incidents shares (kde, local), one declaration:
// categories, from, to, hours, days into the options' TimeWindow and category list. The rules are
// hotspot/window.hpp's, the same as hotspot top's.
template <class Options>
std::vector<Param<Options>> window_params(TimeWindow Options::*window,
                                          std::vector<std::string> Options::*categories) {
  using P = Param<Options>;
  return {
      P{"categories", ParamType::kTextList, "Only these categories (repeat the option for several)",
        "", false,
        [categories](Options& o, const nlohmann::json& v) {
          o.*categories = v.get<std::vector<std::string>>();
        },
        "category"},
      P{"from", ParamType::kText, "First local date, YYYY-MM-DD (inclusive)", "", false,
        [window](Options& o, const nlohmann::json& v) { set_window_from(o.*window, param_text(v)); }},
      P{"to", ParamType::kText, "Last local date, YYYY-MM-DD (inclusive)", "", false,
        [window](Options& o, const nlohmann::json& v) { set_window_to(o.*window, param_text(v)); }},
      P{"hours", ParamType::kText, "Local time window HH:MM-HH:MM, may wrap midnight (22:00-06:00)",
        "", false,
        [window](Options& o, const nlohmann::json& v) { set_window_hours(o.*window, param_text(v)); }},
      P{"days", ParamType::kText,
        "Local weekdays: mon-fri, sat,sun, fri-mon (a shift belongs to the day it starts)", "",
        false,
        [window](Options& o, const nlohmann::json& v) { set_window_days(o.*window, param_text(v)); }}};
}

// a, then b.
template <class T>
std::vector<T> joined(std::vector<T> a, std::vector<T> b) {
  a.insert(a.end(), std::make_move_iterator(b.begin()), std::make_move_iterator(b.end()));
  return a;
}

}  // namespace hotspot
