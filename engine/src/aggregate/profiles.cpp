#include "hotspot/spacetime.hpp"

namespace hotspot {

std::vector<WeekProfile> week_profiles(const std::vector<std::int64_t>& time_utc,
                                       const std::vector<std::int32_t>& feature_of, std::size_t features,
                                       int utc_offset_minutes) {
  std::vector<WeekProfile> out(features);
  for (auto& p : out) p.fill(0);
  for (std::size_t i = 0; i < time_utc.size(); ++i) {
    if (feature_of[i] < 0 || time_utc[i] == kNoTime) continue;
    const std::int64_t local = time_utc[i] + std::int64_t{utc_offset_minutes} * 60;
    std::int64_t day = local >= 0 ? local / 86400 : (local - 86399) / 86400;
    const auto hour = static_cast<std::size_t>((local - day * 86400) / 3600);
    const auto weekday = static_cast<std::size_t>(((day + 3) % 7 + 7) % 7);  // 1970-01-01 was a Thursday
    ++out[static_cast<std::size_t>(feature_of[i])][weekday * 24 + hour];
  }
  return out;
}

PeakHours peak_hours(const WeekProfile& profile, int hours) {
  std::int64_t by_hour[24] = {};
  std::int64_t total = 0;
  for (std::size_t k = 0; k < profile.size(); ++k) by_hour[k % 24] += profile[k], total += profile[k];
  PeakHours best;
  best.hours = hours;
  best.incidents = -1;
  for (int start = 0; start < 24; ++start) {
    std::int64_t n = 0;
    for (int h = 0; h < hours; ++h) n += by_hour[(start + h) % 24];
    if (n > best.incidents) best.start_hour = start, best.incidents = n;
  }
  best.share = total > 0 ? static_cast<double>(best.incidents) / static_cast<double>(total) : 0;
  return best;
}

}  // namespace hotspot
