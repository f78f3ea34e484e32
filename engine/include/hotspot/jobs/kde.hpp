#pragma once
// hotspot kde and the run's kde analysis: the kernel density surface and its hotspot zones
// (hotspot/density.hpp) on the loaded incidents, as a command and as a step.
#include <optional>
#include <string>
#include <vector>

#include "hotspot/density.hpp"
#include "hotspot/jobs.hpp"
#include "hotspot/jobs/params.hpp"
#include "hotspot/window.hpp"

namespace hotspot {

// The study area: cells outside it are nodata and incidents outside it are left out.
struct KdeMask {
  enum class Kind { kNone, kCommunes, kFile };
  Kind kind = Kind::kNone;  // DEFAULT: none (a run's default is the communes)
  std::string path;         // a polygon source; REQUIRES: set when kind is kFile
  std::string crs;  // overrides the file's CRS (PROJ string or planar); DEFAULT: the source's
};

struct KdeStepOptions {
  // A run's analysis name: its layers are density_NAME and hotspot_zones_NAME. DEFAULT (empty):
  // density and hotspot_zones.
  std::string name;
  double cell_m = 0;                 // REQUIRES: > 0 (metres of the working CRS); required
  BandwidthSpec bandwidth;           // DEFAULT: auto
  Kernel kernel = Kernel::kQuartic;  // DEFAULT: quartic
  std::optional<Box> extent;  // in the working CRS; DEFAULT: data or mask, grown by one bandwidth
  KdeMask mask;               // DEFAULT: none
  bool edge_correction = false;         // DEFAULT: off; REQUIRES: a mask
  AreaUnit area_unit = AreaUnit::kKm2;  // DEFAULT: km2
  std::vector<std::string> categories;  // DEFAULT (empty): all
  TimeWindow window;                    // local dates, hours and weekdays; DEFAULT: always
  ZoneRule zones;                       // DEFAULT: no hotspot zones
  // Not a parameter: the incidents' UTC offset, for the window (InputOptions' incidents).
  int utc_offset_minutes = 0;  // DEFAULT: 0
};

// name (configuration only), cell_size, bandwidth, kernel, extent (CLI only), mask, mask_crs (CLI only), edge_correction,
// area_unit, categories, from, to, hours, days, top_percent, threshold, percentile. The mask is
// "communes", "none" or a file path.
const ParamTable<KdeStepOptions>& kde_params();

struct KdeRunOptions {
  InputOptions inputs;
  std::string out;  // .gpkg or .tif; required
  KdeStepOptions kde;
  std::string command_line;
};

// load -> kde -> write: OUT.tif (the surface alone, with OUT.qml beside it) or OUT.gpkg (density,
// hotspot_zones, temporal profiles, rejected_incidents, run_metadata and a QGIS project).
RunSummary run_kde(const KdeRunOptions& options);

}  // namespace hotspot
