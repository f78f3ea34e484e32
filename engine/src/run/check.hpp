#pragma once
// What run --check and validate --config check after the configuration itself: every input
// opened, its layer, fields and CRS looked up, the first 1,000 incident rows read with the run's
// own reader, and the time column checked when an analysis needs times.
#include "hotspot/run.hpp"
#include "run/plan.hpp"
#include "run/run_config.hpp"

namespace hotspot {

// Throws the first problem, named by its JSON path (exit 2 for a configuration value, 3 for data
// that cannot be used, 4 for a file that cannot be opened).
ConfigCheck check_config_inputs(const RunConfig& c, const Plan& plan);

}  // namespace hotspot
