#include "run/plan.hpp"

#include <filesystem>

#include "hotspot/error.hpp"
#include "hotspot/jobs/aggregate.hpp"
#include "hotspot/jobs/local.hpp"
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

std::string number(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}


KdeRunOptions kde_options(const AnalysisConfig& a, const RunConfig& c) {
  KdeRunOptions o;
  o.inputs = c.inputs;
  o.cell_m = option(a, "cell_size", 0.0);
  const json bw = a.options.value("bandwidth", json("auto"));
  o.bandwidth = bw.is_number() ? number(bw.get<double>()) + "m" : bw.get<std::string>();
  o.kernel = option<std::string>(a, "kernel", o.kernel);
  const std::string mask = option<std::string>(a, "mask", "communes");
  if (mask == "communes")
    o.mask_communes = true;
  else if (mask != "none")
    o.mask = (fs::path(c.path).parent_path() / mask).lexically_normal().string();
  o.edge_correction = option(a, "edge_correction", false);
  o.area_unit = option<std::string>(a, "area_unit", o.area_unit);
  o.categories = option(a, "categories", std::vector<std::string>{});
  o.from = option<std::string>(a, "from", "");
  o.to = option<std::string>(a, "to", "");
  o.hours = option<std::string>(a, "hours", "");
  o.top_percent = option(a, "top_percent", -1.0);
  o.threshold = option(a, "threshold", -1.0);
  o.percentile = option(a, "percentile", -1.0);
  if (o.edge_correction && mask == "none") throw UsageError(a.where + ".edge_correction: needs a mask (communes or a file)");
  if (!o.mask.empty() && !fs::exists(o.mask)) throw UsageError(a.where + ".mask: no such file '" + o.mask + "'");
  at(a, [&] { check_kde_options(o); });
  return o;
}

// The options of an analysis from its table: defaults, then every value the configuration gives.
template <class Options>
Options from_table(const ParamTable<Options>& table, const AnalysisConfig& a, Options o = {}) {
  apply_params(table, a.options, ParamScope::kConfigOnly, o, config_spelling(a));
  return o;
}

std::pair<LocalOptions, std::string> local_options(const AnalysisConfig& a, const RunConfig& c) {
  LocalOptions o;
  o.inputs = c.inputs;
  o = from_table(local_params(), a, o);
  if (o.value == UnitValue::kPer1000 && c.inputs.communes.population_field.empty())
    throw UsageError(a.where + ".value: per_1000 needs inputs.communes.population_field");
  const std::string layer = o.layer.empty() ? std::string("local_") + units_source_name(o.units_source) : o.layer;
  return {o, layer};
}

ClusterOptions cluster_options(const AnalysisConfig& a, const RunConfig& c) {
  ClusterOptions o;
  o.threads = c.inputs.threads;
  return from_table(cluster_params(), a, o);
}

EmergingStepOptions emerging_options(const AnalysisConfig& a, const RunConfig& c) {
  EmergingStepOptions o;
  o.emerging.utc_offset_minutes = c.inputs.incidents.utc_offset_minutes;
  o.emerging.threads = c.inputs.threads;
  return from_table(emerging_params(), a, o);
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
