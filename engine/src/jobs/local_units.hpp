#pragma once
// The units of hotspot local, whatever they came from (a file, the loaded communes, a generated
// grid), in the working CRS, with the attributes their layer carries over as typed columns.
#include <cstdint>
#include <string>
#include <vector>

#include "hotspot/jobs/local.hpp"
#include "io/gpkg_writer.hpp"
#include "jobs/load.hpp"

namespace hotspot {

// One attribute of the units; the vector of its type holds the values.
struct UnitColumn {
  std::string name;
  FieldType type = FieldType::kText;
  std::vector<std::int64_t> integer;
  std::vector<double> real;
  std::vector<std::string> text;
  std::vector<char> null;
};

struct Units {
  WeightUnits geometry;  // polygons (and centroids) or points, planar or not
  std::vector<double> value;
  std::vector<std::string> label;  // for messages: fid, cell id or commune id
  std::vector<UnitColumn> attributes;
  Crs crs;
};

// Reads o.units; the working CRS is o.inputs.work_crs or chosen from the units as load_inputs
// chooses it from the incidents.
Units units_from_layer(const LocalOptions& o, LocalSummary& s);
// `counted`: the incidents counted into the units (the loaded ones, or the analysis' window of
// them). A grid's cells (its study area, and its size with grid auto) come from all the loaded
// incidents, so every window of a run counts into the same cells.
Units units_from_grid(const LoadedInputs& in, const Incidents& counted, const LocalOptions& o,
                      LocalSummary& s);
Units units_from_communes(const LoadedInputs& in, const Incidents& counted, const LocalOptions& o,
                          int threads, LocalSummary& s);
// What the statistics found, one line each: the part of format_local_summary between the
// incidents and the working CRS (local_summary.cpp).
std::vector<std::string> detail_lines(const LocalSummary& s);

// The incidents at `index` (positions, times, categories, weights; not the pass-through columns).
Incidents incidents_subset(const Incidents& inc, const std::vector<std::size_t>& index);

}  // namespace hotspot
