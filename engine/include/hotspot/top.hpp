#pragma once
// Patrol planning from a finished output (hotspot top): the hotspots a GeoPackage written by
// hotspot already holds (KDE hotspot zones, significant Gi* hot spots), ranked by the incidents
// of a time window that fall inside them.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "hotspot/geometry.hpp"
#include "hotspot/window.hpp"

namespace hotspot {

enum class TopSource { kZones, kGi, kBoth };

// "zones", "gi" or "both"; throws ParameterError("source", ...) for anything else.
TopSource parse_top_source(const std::string& text);

struct TopOptions {
  // A GeoPackage written by hotspot. REQUIRES: not empty.
  std::string in;
  // Hotspots listed. DEFAULT: 10. REQUIRES: >= 1.
  int n = 10;
  // Which hotspot layers are read (whichever of them exist). DEFAULT: both.
  TopSource source = TopSource::kBoth;
  // The time window, in local time (UTC + offset), set with the set_window_* parsers.
  // DEFAULT: every incident, timed or not. REQUIRES: check_window(window) holds.
  TimeWindow window;
  // The window's dates as given: YYYY-MM-DD, or relative to the file's as-of date ("today",
  // "-28d", "-8w"; `last` "28d" = the 28 days ending at it). Resolved into `window` once the file
  // is read (set_window_dates). DEFAULT: empty (no limit, or whatever `window` already holds).
  std::string from, to, last;
  // Places whose PAI is not above this are hidden: no better than the study area's average.
  // DEFAULT: 1.0. REQUIRES: >= 0.
  double min_pai = 1.0;
  // Only the incidents of these categories (exact names). DEFAULT: all. REQUIRES: each name is a
  // category of the file's incidents (checked once they are read: ParameterError("categories")).
  std::vector<std::string> categories;
  // The offset used when the file's run_metadata records none. DEFAULT: +07:00.
  int utc_offset_minutes = 7 * 60;
  // A named analysis of the run (a kde or local analysis with "name"): only its hotspot layers
  // are ranked (hotspot_zones_NAME, its local layers), counted in the window its run recorded
  // (run_metadata "windows"). DEFAULT (empty): the unnamed analyses' layers, in `window`.
  // REQUIRES: with a name, no window, dates or categories of its own.
  std::string window_name;
};

struct CategoryShare {
  std::string category;
  std::int64_t incidents = 0;
  double share = 0;  // of the hotspot's window incidents
};

// One hotspot. Areas and shares are computed from the geometries and the window's incidents,
// never copied from the layer's own fields (those describe the whole run, not the window).
struct TopHotspot {
  int rank = 0;        // 1 = most window incidents
  std::string id;      // hotspot_id when the layer has it, else "Z<zone_rank>"; Gi*: "G<k>"
  // "zones" (KDE hotspot zone), "gi" (a group of touching Gi* hot cells), or "zones+gi": a place
  // where hotspots of both sources overlap, merged into one (id "Z1+G2", its polygon their union).
  std::string source;
  std::string layer;   // the layer it comes from ("hotspot_zones+local_grid" when merged)
  // A point on the surface in WGS 84, always inside the polygon (GEOS PointOnSurface); NaN for planar data, and when PROJ cannot project the polygon (a warning
  // says so): never a partly projected value.
  double lon = std::numeric_limits<double>::quiet_NaN();
  double lat = std::numeric_limits<double>::quiet_NaN();
  std::vector<std::string> communes, industrial_zones;  // names of those whose interior it meets
  std::int64_t incidents = 0;                           // window incidents inside
  double share = 0;                                     // incidents / all window incidents
  double area_km2 = 0;
  double pai = 0;          // share / (area / study area); NaN when an area is 0
  std::string peak_hours;  // "22:00-01:00": the busiest 3 hours of the day; empty without times
  std::int64_t peak_incidents = 0;
  double peak_share = 0;                  // of the hotspot's window incidents with a time
  std::vector<CategoryShare> categories;  // the two most frequent, most first
  MultiPolygon lonlat;  // the polygon in WGS 84 (x = lon, y = lat); empty when lon is NaN
};

struct TopLayer {
  std::string name;    // "hotspot_zones", "local_grid", ...
  std::string source;  // "zones" or "gi"
  std::int64_t hotspots = 0;
};

struct TopResult {
  std::string in;
  std::string window_name;  // --window NAME, or empty
  // The window as applied.
  std::string from, to, hours;  // from and to resolved to YYYY-MM-DD
  std::string as_of;            // the as-of date relative dates were resolved from
  std::string as_of_from;       // "run_metadata" or "last incident" (an older file)
  std::vector<std::string> days;  // "mon", "tue", ... in week order; empty: every day
  std::vector<std::string> categories;
  int utc_offset_minutes = 0;
  std::string utc_offset_from;  // "run_metadata" or "--utc-offset"
  // Totals.
  std::int64_t incidents_total = 0;  // in the incidents layer
  std::int64_t incidents_in_window = 0;
  std::int64_t incidents_without_time = 0;  // left out because a time filter was given
  // Date-only incidents (time_precision 'day': no hour of day). With an hour filter (hours) they
  // are left out of the window; without one they are in it but in no hotspot's peak hours.
  std::int64_t incidents_without_hour = 0;
  double study_area_km2 = 0;  // on planar data (no CRS): (1000 data units)²
  bool planar = false;
  std::string study_area_from;   // "communes" or "incidents' extent"
  std::vector<TopLayer> layers;  // the hotspot layers read
  std::int64_t hotspots = 0;     // hotspots found in those layers
  // Of those, the ones holding a window incident: only they are ranked.
  std::int64_t hotspots_with_incidents = 0;
  // Of those (after merging overlapping ones), the places hidden by min_pai.
  double min_pai = 1.0;
  std::int64_t hidden_by_min_pai = 0;
  std::vector<TopHotspot> top;  // the first n of the ranking
  std::vector<std::string> warnings;
};

// Reads `in`, applies the window, merges overlapping hotspots of different sources, hides places
// whose PAI is not above min_pai and ranks: window incidents desc, then PAI desc, then id.
// Throws UsageError naming the command's options (--n, --in), ParameterError("categories") for a
// category no incident has, IoError (the file), InputError (no hotspot or incidents layer, layers
// in different CRSs).
TopResult run_top(const TopOptions& options);

// Renderings. The table fits `width` columns (UTF-8, measured in code points, combining marks
// zero-width): header lines and the communes and zones of a hotspot wrap, every other line is
// cut with "…"; csv is RFC 4180 with a header row (CRLF); json is {"header": {...}, "hotspots":
// [...]}; geojson is a FeatureCollection in WGS 84 with the hotspot polygons.
std::string format_top_table(const TopResult& r, std::size_t width = 80);
std::string format_top_csv(const TopResult& r);
std::string format_top_json(const TopResult& r);
std::string format_top_geojson(const TopResult& r);
// For patrol phones: GPX 1.1 waypoints (one per hotspot, at its point on the surface) and KML 2.2
// placemarks (the point and the polygon). Hotspots without a WGS 84 position are left out.
std::string format_top_gpx(const TopResult& r);
std::string format_top_kml(const TopResult& r);

// ---- The printable patrol briefing (hotspot brief) ---------------------------------------------

struct BriefOptions {
  std::string in;   // a GeoPackage written by hotspot with hotspot_zones. REQUIRES: not empty
  std::string out;  // the PDF, written atomically. REQUIRES: ends in .pdf, not the input
  int n = 5;        // hotspots, one page each. DEFAULT: 5. REQUIRES: >= 1
  TimeWindow window;                    // as TopOptions::window
  std::vector<std::string> categories;  // as TopOptions::categories
  std::string lang = "vi";              // labels: vi | en. DEFAULT: vi
  int utc_offset_minutes = 7 * 60;      // as TopOptions::utc_offset_minutes
  std::string title;                    // DEFAULT (empty): the file's name
  // Roads drawn thin and grey under the boundaries of every map, for orientation: an OGR line
  // layer (any CRS it declares), or lines already in the GeoPackage's CRS (hotspot run passes
  // inputs.roads). DEFAULT: none. `roads` wins when both are given.
  std::string roads;
  std::vector<std::vector<XY>> road_lines;
};

struct BriefResult {
  int pages = 0;                    // the overview page(s) + one per hotspot
  std::vector<std::string> ids;     // the hotspots, in rank order
  std::vector<std::string> warnings;
};

// An A4 PDF (cairo): page 1 an overview map with the hotspots numbered by rank and a table (rank,
// id, communes/zone, window incidents, PAI, trend from `emerging`, peak hours); then one page
// per hotspot (zoomed map with the window's incidents, facts, 24-hour and weekday charts, top
// categories, status). The ranking is hotspot top's on the KDE hotspot zones. Throws UsageError
// (n, lang, out), InputError (no hotspot_zones or incidents layer), IoError.
BriefResult write_brief(const BriefOptions& options);

}  // namespace hotspot
