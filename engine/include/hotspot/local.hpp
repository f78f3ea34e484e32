#pragma once
// Local spatial statistics (Getis-Ord Gi*, Local Moran's I) on polygons, points or a generated
// grid of incident counts: hotspot local.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "hotspot/jobs.hpp"

namespace hotspot {

struct LocalOptions {
  // Where the units come from: "file" (units + field), "communes" (the communes loaded with the
  // incidents, valued by their incidents) or "grid" (generated cells of incident counts).
  // DEFAULT: file
  std::string units_source = "file";
  // Units: a polygon or point layer (or CSV) with a value field ...
  std::string units;             // path; empty unless units_source is file
  std::string units_layer;       // DEFAULT: the first layer
  std::string units_crs;         // DEFAULT: the source's; EPSG:4326 for CSV
  std::string x_field, y_field;  // CSV units; DEFAULT: detected
  std::string field;             // the value field (required with units)
  // ... or the communes' value: count (incidents in the commune, as aggregate counts them: a
  // weight field is not used), per_km2 or per_1000 (per 1,000 residents: needs the communes'
  // population field). DEFAULT: count
  std::string value = "count";
  // ... or a generated grid of incident counts: "hex:SIZE", "square:SIZE" (metres) or "auto".
  std::string grid;
  InputOptions inputs;        // incidents (and communes: the units, or the study area of a grid);
                              // work_crs and threads apply to file units too
  std::string stat = "both";  // gi | lisa | both. DEFAULT: both
  std::string weights;        // queen | rook | knn:K | band:D. DEFAULT: none (required),
                              // except --grid auto: band from incremental spatial autocorrelation
  double snap = -1;           // contiguity snapping tolerance. DEFAULT: -1 = 0.5 m, or 1e-7 of the
                              // extent for planar data
  double inverse_distance = 0;   // power p of w = d^-p on knn/band weights. DEFAULT: 0 = binary
  std::string islands = "keep";  // keep | nearest. DEFAULT: keep (null statistics)
  int permutations = 999;        // DEFAULT: 999; 0 = analytic p-values only
  std::uint64_t seed = 12345;    // DEFAULT: 12345
  bool fdr = false;              // DEFAULT: off
  std::string out;               // .gpkg
  std::string command_line;
};

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
  std::vector<std::pair<double, double>> isa;  // --grid auto: (band, Global Moran z)
  double band = 0;                             // band distance used (band weights)
  std::int64_t incidents_counted = 0, incidents_outside = 0;
  IngestReport ingest;  // communes and grids
  bool has_global = false;
  double moran_I = 0, moran_E = 0, moran_V = 0, moran_z = 0, moran_p = 0;
  int permutations = 0;
  std::uint64_t seed = 0;
  bool fdr = false;
  std::vector<std::pair<std::string, std::int64_t>> gi_bins;  // label, count
  std::vector<std::pair<std::string, std::int64_t>> cotypes;  // label, count
  std::vector<StepTime> timings;
  std::vector<std::string> warnings;
  std::string out;
};

// Every check of the options that needs no data (units_source and its companions, stat, weights,
// islands, permutations, grid spec); throws UsageError. Neither `out` nor `inputs` is looked at.
void check_local_options(const LocalOptions& options);
LocalSummary run_local(const LocalOptions& options);
std::string format_local_summary(const LocalSummary& s);

}  // namespace hotspot
