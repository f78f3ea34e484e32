#pragma once
// The incidents of a patrol window: the shared TimeWindow and category filter applied to the
// incidents of a finished output.
#include <cstdint>
#include <vector>

#include "hotspot/ingest.hpp"
#include "hotspot/window.hpp"

namespace hotspot {

struct WindowIncidents {
  std::vector<std::size_t> index;  // incidents in the window, in input order
  std::int64_t without_time = 0;   // left out because a time filter was given and they have none
  std::int64_t without_hour = 0;   // date-only, left out because the window has hours
};

// `category_ok` is select_categories' answer (empty: every category).
WindowIncidents window_incidents(const Incidents& inc, const TimeWindow& window,
                                 const std::vector<char>& category_ok, int utc_offset_minutes);

}  // namespace hotspot
