#pragma once
// load -> project: every input read, checked and brought into one working CRS in metres (or the
// planar frame). Nothing later reaches back into this stage.
#include <string>

#include "hotspot/jobs.hpp"

namespace hotspot {

struct LoadedInputs {
  PolygonLayer communes, zones;
  Incidents incidents;
  IngestReport report;
  Crs work_crs;
  std::string work_crs_reason;
  std::vector<StepTime> timings;
};

LoadedInputs load_inputs(const InputOptions& options);

}  // namespace hotspot
