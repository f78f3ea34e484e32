#pragma once
// Reading a finished output for hotspot top: its local time, hotspot layers, incidents, communes
// and industrial zones, all in the file's working CRS.
#include <optional>
#include <string>
#include <vector>

#include "geom/geos.hpp"
#include "top/rank.hpp"

namespace hotspot {

// utc_offset_minutes recorded in run_metadata's `parameters` text (at the top, or inside a step's
// parameters); nullopt when absent or not JSON. Throws InputError for JSON nested deeper than
// kMaxJsonDepth.
std::optional<int> offset_from_parameters(const std::string& text);

// Throws IoError (the file), InputError (no hotspot or incidents layer, layers in different CRSs),
// UsageError (`window_name` is no analysis name the run recorded). With a window name, the hotspot
// layers are that analysis' (run_metadata "windows"); without, those of no named analysis.
TopInputs read_top(const std::string& path, TopSource source, int default_utc_offset_minutes,
                   const std::string& window_name = "");

// Hot cells grouped into connected components of touching cells (queen contiguity with
// default_snap, the same tolerance as hotspot local's weights), each group unioned into one
// hotspot with an empty id. Ordered by cell count, then by their first cell, so labels do not
// depend on the window.
std::vector<TopCandidate> group_hot_cells(std::vector<MultiPolygon> cells, const Crs& crs,
                                          const std::string& layer, const Geos& geos);

}  // namespace hotspot
