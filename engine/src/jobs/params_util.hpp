#pragma once
// Converters the parameter tables share. Each checks one JSON value and returns it typed, or
// throws UsageError with the problem alone (apply_params puts the parameter's spelling in front).
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <string>

#include "hotspot/error.hpp"

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

}  // namespace hotspot
