#include "run/plan.hpp"

#include <filesystem>
#include <algorithm>
#include <functional>
#include <map>
#include <tuple>

#include "hotspot/error.hpp"
#include "hotspot/jobs/aggregate.hpp"
#include "hotspot/jobs/kde.hpp"
#include "hotspot/jobs/local.hpp"
#include "hotspot/jobs/near_repeat.hpp"
#include "jobs/budget.hpp"
#include "jobs/load.hpp"
#include "jobs/steps.hpp"
#include "util/time.hpp"

namespace hotspot {

namespace fs = std::filesystem;
using json = nlohmann::json;

ParamSpelling config_spelling(const AnalysisConfig& a) {
  return [where = a.where](const ParamInfo* p) { return p ? where + "." + p->name : where; };
}

namespace {

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
  return {o, local_layer(a.options)};
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

// A run's kde: the communes are the mask unless the analysis says otherwise, and a mask file is
// relative to the configuration.
KdeStepOptions kde_options(const AnalysisConfig& a, const RunConfig& c) {
  KdeStepOptions defaults;
  defaults.mask.kind = KdeMask::Kind::kCommunes;
  defaults.utc_offset_minutes = c.inputs.incidents.utc_offset_minutes;
  KdeStepOptions o = from_table(kde_params(), a, defaults);
  if (o.mask.kind == KdeMask::Kind::kFile) {
    o.mask.path = (fs::path(c.path).parent_path() / o.mask.path).lexically_normal().string();
    if (!fs::exists(o.mask.path)) throw IoError(a.where + ".mask: no such file '" + o.mask.path + "'");
  }
  return o;
}

KnoxOptions knox_options(const AnalysisConfig& a, const RunConfig& c) {
  KnoxOptions o;
  o.threads = c.inputs.threads;
  o.utc_offset_minutes = c.inputs.incidents.utc_offset_minutes;
  return from_table(near_repeat_params(), a, o);
}

}  // namespace

const KdeStepOptions* Plan::primary_kde() const {
  for (const auto& k : kdes)
    if (k.name.empty()) return &k;
  return kdes.empty() ? nullptr : &kdes.front();
}

json window_json(const TimeWindow& w, const std::vector<std::string>& categories) {
  return {{"from", w.from}, {"to", w.to}, {"hours", w.hours}, {"days", w.days},
          {"categories", categories}};
}

namespace {

// Same incidents: the same dates, hours, weekdays and categories (as sets).
bool same_window(const TimeWindow& a, const std::vector<std::string>& ca, const TimeWindow& b,
                 std::vector<std::string> cb) {
  std::vector<std::string> sa = ca;
  std::sort(sa.begin(), sa.end());
  std::sort(cb.begin(), cb.end());
  return a.first_day == b.first_day && a.last_day == b.last_day && a.by_hours == b.by_hours &&
         (!a.by_hours || (a.h0 == b.h0 && a.h1 == b.h1)) && a.weekdays == b.weekdays && sa == cb;
}

}  // namespace

Plan make_plan(const RunConfig& c) {
  Plan p;
  // name -> (where, window, categories) of the first analysis with that name
  std::map<std::string, std::tuple<std::string, TimeWindow, std::vector<std::string>>> windows;
  auto same_name = [&](const AnalysisConfig& a, const std::string& name, const TimeWindow& w,
                       const std::vector<std::string>& cats) {
    if (name.empty()) return;
    auto [it, fresh] = windows.try_emplace(name, a.where, w, cats);
    if (fresh) return;
    const auto& [where, w0, c0] = it->second;
    if (!same_window(w0, c0, w, cats))
      throw UsageError(a.where + ": named '" + name + "' like " + where + ", but its window " +
                       window_json(w, cats).dump() + " differs from " + window_json(w0, c0).dump() +
                       "; analyses of one name share their window (hotspot top --window " + name +
                       " counts in it)");
  };
  for (const auto& a : c.analyses) {
    if (a.type == "aggregate") p.aggregate = from_table(aggregate_params(), a);
    if (a.type == "profiles") p.profiles = true;
    if (a.type == "kde") {
      p.kdes.push_back(kde_options(a, c));
      same_name(a, p.kdes.back().name, p.kdes.back().window, p.kdes.back().categories);
    }
    if (a.type == "clusters") p.clusters = cluster_options(a, c);
    if (a.type == "local") {
      p.locals.push_back(local_options(a, c));
      const LocalOptions& o = p.locals.back().first;
      same_name(a, o.name, o.window, o.categories);
    }
    if (a.type == "emerging") p.emerging = emerging_options(a, c);
    if (a.type == "near_repeat") p.knox = knox_options(a, c);
  }
  // A briefing ranks the zones of the kde without a name (hotspot_zones): without them it could
  // only say "nothing to brief" every night.
  const KdeStepOptions* zones = nullptr;
  for (const auto& k : p.kdes)
    if (k.name.empty() && k.zones.kind != ZoneRule::Kind::kNone) zones = &k;
  std::map<std::string, std::size_t> briefing_names;
  for (std::size_t k = 0; k < c.briefings.size(); ++k) {
    const std::string where = "briefings[" + std::to_string(k) + "]";
    const auto [it, fresh] = briefing_names.try_emplace(c.briefings[k].first, k);
    if (!fresh)
      throw UsageError(where + ".name: '" + c.briefings[k].first + "' is also briefings[" +
                       std::to_string(it->second) + "]'s name; each briefing is written to " +
                       c.briefings[k].second.out + ", so names must differ");
    if (!zones)
      throw UsageError(where + ": a briefing ranks the hotspot zones of a kde analysis without a "
                       "name, with top_percent, threshold or percentile; this configuration has "
                       "none");
  }
  return p;
}

void preflight_plan(const Plan& plan, const LoadedInputs& in) {
  auto named = [](const char* type, const std::function<void()>& f) {
    try {
      f();
    } catch (const UsageError& e) {
      throw UsageError(std::string(type) + " analysis: " + e.what());
    } catch (const InputError& e) {
      throw InputError(std::string(type) + " analysis: " + e.what());
    }
  };
  for (const auto& k : plan.kdes) named("kde", [&] { kde_preflight(in, k); });
  for (const auto& local : plan.locals) named("local", [&] { local_preflight(in, local.first); });
  if (plan.emerging) named("emerging", [&] { emerging_preflight(in, *plan.emerging); });
  if (plan.knox) named("near_repeat", [&] { knox_preflight(in, *plan.knox); });
}

}  // namespace hotspot
