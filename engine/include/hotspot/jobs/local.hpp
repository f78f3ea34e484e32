#pragma once
// hotspot local and the run's local analyses: Getis-Ord Gi* and Local Moran's I
// (hotspot/local_stats.hpp) on a units file, on the loaded communes or on a generated grid.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "hotspot/aggregate.hpp"
#include "hotspot/jobs.hpp"
#include "hotspot/jobs/params.hpp"
#include "hotspot/local_stats.hpp"
#include "hotspot/weights.hpp"
#include "hotspot/window.hpp"

namespace hotspot {

enum class UnitsSource { kFile, kCommunes, kGrid };
// The communes' value: incidents (as aggregate counts them: a weight field is not used), per km²
// or per 1,000 residents (needs the communes' population field).
enum class UnitValue { kCount, kPerKm2, kPer1000 };

struct LocalOptions {
  // Where the units come from. DEFAULT: file (the CLI without --grid); a configuration names it.
  UnitsSource units_source = UnitsSource::kFile;
  // Units file: a polygon or point layer (or CSV) with a value field. REQUIRES: units_source kFile.
  std::string units;                    // path
  std::string units_layer;              // DEFAULT: the first layer
  std::string units_crs;                // DEFAULT: the source's; EPSG:4326 for CSV
  std::string x_field, y_field;         // CSV units; DEFAULT: detected
  std::string field;                    // the value field; REQUIRES: given with units
  UnitValue value = UnitValue::kCount;  // DEFAULT: count. REQUIRES: units_source kCommunes
  // Generated grid of incident counts. REQUIRES: units_source kGrid. grid_auto: hexagons sized from
  // the data, weights a band from incremental spatial autocorrelation.
  GridSpec grid;
  bool grid_auto = false;  // DEFAULT: false
  InputOptions inputs;     // incidents (and communes: the units, or the study area of a grid);
                           // work_crs and threads apply to file units too
  // Weights (with snap, inverse_distance and islands). REQUIRES: given (weights_given) unless
  // grid_auto.
  WeightsSpec weights;
  bool weights_given = false;
  LocalStatsOptions stats;  // stat, permutations, seed, fdr (threads come from inputs)
  std::string layer;        // the run's layer; DEFAULT (empty): local_communes or local_grid,
                            // with _NAME after it for a named analysis
  std::string name;         // a run's analysis name (one of several, one per shift); DEFAULT: none
  // The incidents counted into communes or grid cells: the shared window rules of
  // hotspot/window.hpp (as kde and hotspot top). REQUIRES: no window with file units.
  TimeWindow window;                    // DEFAULT: always
  std::vector<std::string> categories;  // DEFAULT (empty): all
  std::string out;          // .gpkg; the CLI's
  std::string command_line;
};

// units, grid, value, stat, weights, snap, inverse_distance, islands, permutations, seed, fdr,
// layer, name, categories, from, to, hours, days, and the CLI's units file options. Its check refuses inconsistent combinations.
const ParamTable<LocalOptions>& local_params();

const char* units_source_name(UnitsSource s);  // "file", "communes", "grid"
const char* unit_value_name(UnitValue v);      // "count", "per_km2", "per_1000"

struct LocalSummary {
  std::string units_kind;  // "polygons", "points", "communes", "hex grid", "square grid"
  std::int64_t units = 0;
  std::vector<std::string> units_dropped;
  std::string value_field;
  std::string work_crs, work_crs_reason;
  std::string weights;  // e.g. "queen contiguity (snap 0.5 m), binary"
  double snap = 0;
  std::int64_t links = 0;  // non-zero weights, self excluded
  double mean_neighbours = 0;
  std::vector<std::string> islands;  // unit ids
  std::string islands_policy;
  double cell_size_m = 0;                      // grids
  bool planar = false;                         // cell size and bands are in data units, not metres
  std::vector<std::pair<double, double>> isa;  // grid auto: (band, Global Moran z)
  double band = 0;                             // band distance used (band weights)
  std::int64_t incidents_counted = 0, incidents_outside = 0;
  // Left out by the analysis' window and categories (before counting); -1: no window given.
  std::int64_t incidents_not_in_window = -1;
  IngestReport ingest;  // communes and grids
  bool has_global = false;
  double moran_I = 0, moran_E = 0, moran_V = 0, moran_z = 0, moran_p = 0;
  bool moran_defined = true;  // false: zero or non-finite variance; z and p are null
  // Units with neighbours whose Gi* / Local Moran variance is zero or not finite: null z and p,
  // Gi_Bin 0, COType empty.
  std::int64_t gi_undefined = 0, lisa_undefined = 0;
  int permutations = 0;
  std::uint64_t seed = 0;
  bool fdr = false;
  std::vector<std::pair<std::string, std::int64_t>> gi_bins;  // label, count
  std::vector<std::pair<std::string, std::int64_t>> cotypes;  // label, count
  std::vector<StepTime> timings;
  std::vector<std::string> warnings;
  std::string out;
};

LocalSummary run_local(const LocalOptions& options);
std::string format_local_summary(const LocalSummary& s);

}  // namespace hotspot
