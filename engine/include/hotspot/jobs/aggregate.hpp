#pragma once
// hotspot aggregate and the run's aggregate analysis: counts and rates per commune and
// industrial zone, the zone <-> commune linkage (hotspot/aggregate.hpp), as a command and a step.
#include <string>

#include "hotspot/jobs.hpp"
#include "hotspot/jobs/params.hpp"

namespace hotspot {

struct AggregateStepOptions {
  double zone_buffer_m = 1000;  // width of the ring around each zone. DEFAULT: 1000. REQUIRES: > 0
  // Given (not the default): held against the study area, which a ring as wide as it makes
  // meaningless. The default is not (on small planar data 1000 data units may cover it all).
  bool zone_buffer_given = false;
};

// zone_buffer_m (CLI: --zone-buffer).
const ParamTable<AggregateStepOptions>& aggregate_params();

struct AggregateOptions {
  InputOptions inputs;  // communes required
  AggregateStepOptions step;
  std::string out;           // .gpkg path
  std::string command_line;  // recorded in the run metadata
};

// load -> assign -> counts, linkage and temporal profiles -> one GeoPackage with its QGIS project.
RunSummary run_aggregate(const AggregateOptions& options);

}  // namespace hotspot
