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
  // One per kde analysis, in the file's order; a run with several names each (kde_step writes
  // density_NAME, hotspot_zones_NAME).
  std::vector<KdeStepOptions> kdes;
  std::optional<ClusterOptions> clusters;
  std::vector<std::pair<LocalOptions, std::string>> locals;  // options, layer
  // The kde whose surface the quick-look map draws: the unnamed one, else the first. Null without
  // a kde.
  const KdeStepOptions* primary_kde() const;
  std::optional<EmergingStepOptions> emerging;
  std::optional<KnoxOptions> knox;
  int count() const {
    return static_cast<int>(aggregate.has_value()) + profiles + static_cast<int>(kdes.size()) +
           static_cast<int>(clusters.has_value()) + static_cast<int>(locals.size()) +
           static_cast<int>(emerging.has_value()) + static_cast<int>(knox.has_value());
  }
};

// Throws UsageError naming the JSON path of the first bad value; also when a kde and a local
// analysis share a name but not their window (hotspot top --window NAME counts in one window).
Plan make_plan(const RunConfig& c);

// A named window as run_metadata records it under "windows" (hotspot top and evaluate read it
// back): {"from", "to", "hours", "days", "categories"}.
nlohmann::json window_json(const TimeWindow& w, const std::vector<std::string>& categories);

struct LoadedInputs;
// The resource estimates of every planned analysis on the loaded inputs (jobs/budget.hpp), made
// after loading and before the first step, and by run --check. Throws ParameterError or
// InputError with the analysis type in front ("kde: cell_size: ...").
void preflight_plan(const Plan& plan, const LoadedInputs& in);

// How a configuration spells an analysis' parameter: "analyses[2].cell_size" ("analyses[2]"
// for the analysis as a whole).
ParamSpelling config_spelling(const AnalysisConfig& a);

}  // namespace hotspot
