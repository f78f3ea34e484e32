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

// Brings a layer read in its source CRS into the working CRS; `what` names one feature in
// messages ("commune", "mask polygon").
void project_polygons(PolygonLayer& layer, const Crs& work, const std::string& what);

}  // namespace hotspot
