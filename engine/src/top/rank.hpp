#pragma once
// Ranking the hotspots of a finished output for a window, on plain in-memory values: the reading
// (read.hpp) fills TopInputs from a GeoPackage, tests build it by hand.
#include <string>
#include <vector>

#include "hotspot/crs.hpp"
#include "hotspot/ingest.hpp"
#include "hotspot/top.hpp"

namespace hotspot {

// One hotspot as read: a KDE hotspot zone or a group of touching Gi* hot cells.
struct TopCandidate {
  std::string id;      // hotspot_id, "Z<zone_rank>" or "G<k>"
  std::string source;  // "zones" or "gi"
  std::string layer;
  MultiPolygon geom;  // in the working CRS
};

// Everything the ranking needs; every geometry and coordinate in `crs`.
struct TopInputs {
  std::string in;  // the file, for the header
  Crs crs;         // the working CRS; not planar: lon/lat are given in WGS 84
  Incidents incidents;
  std::vector<TopCandidate> hotspots;
  std::vector<TopLayer> layers;  // the hotspot layers read
  PolygonLayer communes, zones;  // names and the study area; may be empty
  int utc_offset_minutes = 0;
  std::string utc_offset_from;        // "run_metadata" or "--utc-offset"
  // YYYY-MM-DD the relative dates of a window are resolved from (empty: no timed incident).
  std::string as_of, as_of_from;      // from: "run_metadata" or "last incident"
  std::vector<std::string> warnings;  // from the reading; the ranking adds its own after them
  // A named analysis' window as its run recorded it (top --window NAME): it replaces the
  // options' window and categories. Empty name: none.
  std::string window_name;
  TimeWindow window;
  std::vector<std::string> window_categories;
};

// Applies the window and categories of `o` (ParameterError("categories") for a name no incident
// has), counts the window incidents inside every hotspot and ranks: window incidents desc, then
// PAI desc (NaN last), then id ("G2" < "G10" < "Z1"). The first o.n get their details.
TopResult rank_top(const TopInputs& in, const TopOptions& o);

}  // namespace hotspot
