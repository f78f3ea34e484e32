#pragma once
// A run configuration's analyses turned into the typed options of their steps, every value
// converted and checked through the analyses' parameter tables before any data is read.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hotspot/jobs/cluster.hpp"
#include "hotspot/density.hpp"
#include "hotspot/jobs/emerging.hpp"
#include "hotspot/jobs/aggregate.hpp"
#include "hotspot/jobs/kde.hpp"
#include "hotspot/jobs/params.hpp"
#include "hotspot/jobs/local.hpp"
#include "hotspot/spacetime.hpp"
#include "run/run_config.hpp"

namespace hotspot {

// Every analysis of the configuration turned into the options of its step, all checked before any
// data is read. Steps run in this fixed order whatever the order in the file.
struct Plan {
  std::optional<AggregateStepOptions> aggregate;
  bool profiles = false;
  std::optional<KdeStepOptions> kde;
  std::optional<ClusterOptions> clusters;
  std::vector<std::pair<LocalOptions, std::string>> locals;  // options, layer
  std::optional<EmergingStepOptions> emerging;
  std::optional<KnoxOptions> knox;
  int count() const {
    return static_cast<int>(aggregate.has_value()) + profiles + static_cast<int>(kde.has_value()) +
           static_cast<int>(clusters.has_value()) + static_cast<int>(locals.size()) +
           static_cast<int>(emerging.has_value()) + static_cast<int>(knox.has_value());
  }
};

// Throws UsageError naming the JSON path of the first bad value.
Plan make_plan(const RunConfig& c);

struct LoadedInputs;
// The resource estimates of every planned analysis on the loaded inputs (jobs/budget.hpp), made
// after loading and before the first step, and by run --check. Throws ParameterError or
// InputError with the analysis type in front ("kde: cell_size: ...").
void preflight_plan(const Plan& plan, const LoadedInputs& in);

// How a configuration spells an analysis' parameter: "analyses[2].cell_size" ("analyses[2]"
// for the analysis as a whole).
ParamSpelling config_spelling(const AnalysisConfig& a);

}  // namespace hotspot
