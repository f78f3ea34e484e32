#include "top/window.hpp"

namespace hotspot {

WindowIncidents window_incidents(const Incidents& inc, const TimeWindow& window,
                                 const std::vector<char>& category_ok, int utc_offset_minutes) {
  WindowIncidents out;
  const bool by_time = window.any();
  for (std::size_t i = 0; i < inc.size(); ++i) {
    if (!category_ok.empty() &&
        (inc.category[i] == Dictionary::kNone || !category_ok[inc.category[i]]))
      continue;
    if (by_time) {
      if (inc.time_utc[i] == kNoTime) {
        ++out.without_time;
        continue;
      }
      if (window.by_hours && inc.date_only(i)) {  // local midnight is not an hour they happened at
        ++out.without_hour;
        continue;
      }
      if (!window.contains(inc.time_utc[i], utc_offset_minutes)) continue;
    }
    out.index.push_back(i);
  }
  return out;
}

}  // namespace hotspot
