// hotspot top: read a finished output (read.cpp) -> pick the window's incidents (window.cpp) ->
// count them into every hotspot and rank (rank.cpp) -> render (format.cpp).
#include "hotspot/top.hpp"

#include "hotspot/error.hpp"
#include "top/rank.hpp"
#include "top/read.hpp"

namespace hotspot {

TopSource parse_top_source(const std::string& text) {
  if (text == "zones") return TopSource::kZones;
  if (text == "gi") return TopSource::kGi;
  if (text == "both") return TopSource::kBoth;
  throw ParameterError("source", "'" + text + "': expected zones, gi or both");
}

TopResult run_top(const TopOptions& o) {
  if (o.in.empty()) throw UsageError("--in is required");
  if (o.n < 1) throw UsageError("--n " + std::to_string(o.n) + ": must be at least 1");
  check_window(o.window);
  if (!o.window_name.empty() && (o.window.any() || !o.from.empty() || !o.to.empty() ||
                                 !o.last.empty() || !o.categories.empty()))
    throw UsageError("--window " + o.window_name +
                     ": counts in the window its run recorded; give --hours, --days, --from, "
                     "--to, --last and --category without --window");
  return rank_top(read_top(o.in, o.source, o.utc_offset_minutes, o.window_name), o);
}

}  // namespace hotspot
