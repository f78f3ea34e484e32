#include "run/plan.hpp"

#include <filesystem>

#include "hotspot/error.hpp"
#include "hotspot/jobs/aggregate.hpp"
#include "hotspot/jobs/kde.hpp"
#include "hotspot/jobs/near_repeat.hpp"
#include "jobs/steps.hpp"
#include "util/time.hpp"

namespace hotspot {

namespace fs = std::filesystem;
using json = nlohmann::json;

ParamSpelling config_spelling(const AnalysisConfig& a) {
  return [where = a.where](const ParamInfo* p) { return p ? where + "." + p->name : where; };
}

namespace {

// Runs f; a UsageError it throws is prefixed with the analysis' JSON path.
template <typename F>
void at(const AnalysisConfig& a, F&& f) {
  try {
    f();
  } catch (const UsageError& e) {
    throw UsageError(a.where + ": " + e.what());
  }
}


ClusterJobOptions cluster_options(const AnalysisConfig& a, const RunConfig& c) {
  ClusterJobOptions o;
  o.inputs = c.inputs;
  const std::string method = option<std::string>(a, "method", "dbscan");
  o.method = method == "hdbscan" ? ClusterMethod::kHdbscan : method == "st-dbscan" ? ClusterMethod::kStDbscan : ClusterMethod::kDbscan;
  o.eps_m = option(a, "eps", 0.0);
  if (a.options.contains("eps_time"))
    o.eps_time_s = parse_duration_seconds(option<std::string>(a, "eps_time", ""), a.where + ".eps_time");
  o.min_points = option(a, "min_points", o.min_points);
  o.hdbscan.min_cluster_size = option(a, "min_cluster_size", o.hdbscan.min_cluster_size);
  o.hdbscan.min_samples = option(a, "min_samples", o.hdbscan.min_samples);
  o.hdbscan.selection = option<std::string>(a, "selection", "eom") == "leaf" ? HdbscanSelection::kLeaf : HdbscanSelection::kEom;
  o.hull = option<std::string>(a, "hull", "convex") == "concave" ? HullKind::kConcave : HullKind::kConvex;
  o.concave_ratio = option(a, "concave_ratio", o.concave_ratio);
  at(a, [&] { check_cluster_options(o); });
  return o;
}

std::pair<LocalOptions, std::string> local_options(const AnalysisConfig& a, const RunConfig& c) {
  LocalOptions o;
  o.inputs = c.inputs;
  const std::string units = option<std::string>(a, "units", "communes");
  o.units_source = units;
  if (units == "grid") o.grid = option<std::string>(a, "grid", "");
  o.value = option<std::string>(a, "value", o.value);
  o.stat = option<std::string>(a, "stat", o.stat);
  o.weights = option<std::string>(a, "weights", "");
  o.inverse_distance = option(a, "inverse_distance", o.inverse_distance);
  o.islands = option<std::string>(a, "islands", o.islands);
  o.permutations = option(a, "permutations", o.permutations);
  o.seed = option<std::uint64_t>(a, "seed", o.seed);
  o.fdr = option(a, "fdr", false);
  if (o.value == "per_1000" && c.inputs.communes.population_field.empty())
    throw UsageError(a.where + ".value: per_1000 needs inputs.communes.population_field");
  at(a, [&] { check_local_options(o); });
  return {o, option<std::string>(a, "layer", "local_" + units)};
}

EmergingOptions emerging_options(const AnalysisConfig& a, const RunConfig& c) {
  EmergingOptions o;
  o.inputs = c.inputs;
  o.grid = option<std::string>(a, "grid", "");
  o.time_step = option<std::string>(a, "time_step", o.time_step);
  o.band = option(a, "band", o.band);
  o.neighbourhood_time = option(a, "neighbourhood_time", o.neighbourhood_time);
  o.alpha = option(a, "alpha", o.alpha);
  at(a, [&] { check_emerging_options(o); });
  return o;
}

// The options of an analysis from its table: defaults, then every value the configuration gives.
template <class Options>
Options from_table(const ParamTable<Options>& table, const AnalysisConfig& a, Options o = {}) {
  apply_params(table, a.options, ParamScope::kConfigOnly, o, config_spelling(a));
  return o;
}

// A run's kde: the communes are the mask unless the analysis says otherwise, and a mask file is
// relative to the configuration.
KdeStepOptions kde_options(const AnalysisConfig& a, const RunConfig& c) {
  KdeStepOptions defaults;
  defaults.mask.kind = KdeMask::Kind::kCommunes;
  defaults.utc_offset_minutes = c.inputs.incidents.utc_offset_minutes;
  KdeStepOptions o = from_table(kde_params(), a, defaults);
  if (o.mask.kind == KdeMask::Kind::kFile) {
    o.mask.path = (fs::path(c.path).parent_path() / o.mask.path).lexically_normal().string();
    if (!fs::exists(o.mask.path)) throw UsageError(a.where + ".mask: no such file '" + o.mask.path + "'");
  }
  return o;
}

KnoxOptions knox_options(const AnalysisConfig& a, const RunConfig& c) {
  KnoxOptions o;
  o.threads = c.inputs.threads;
  return from_table(near_repeat_params(), a, o);
}

}  // namespace

Plan make_plan(const RunConfig& c) {
  Plan p;
  for (const auto& a : c.analyses) {
    if (a.type == "aggregate") p.aggregate = from_table(aggregate_params(), a);
    if (a.type == "profiles") p.profiles = true;
    if (a.type == "kde") p.kde = kde_options(a, c);
    if (a.type == "clusters") p.clusters = cluster_options(a, c);
    if (a.type == "local") p.locals.push_back(local_options(a, c));
    if (a.type == "emerging") p.emerging = emerging_options(a, c);
    if (a.type == "near_repeat") p.knox = knox_options(a, c);
  }
  return p;
}
}  // namespace hotspot
