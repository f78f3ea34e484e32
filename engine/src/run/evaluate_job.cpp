// hotspot evaluate --config: load the run's inputs once, keep the window's incidents, backtest,
// then write the GeoPackage tables and the plot.
#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "aggregate/grid.hpp"
#include "hotspot/error.hpp"
#include "hotspot/evaluate.hpp"
#include "io/gpkg_writer.hpp"
#include "jobs/load.hpp"
#include "jobs/outputs.hpp"
#include "run/plan.hpp"
#include "run/run_config.hpp"

namespace hotspot {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

void write_tables(const EvaluateResult& r, const EvaluateJob& job, const RunConfig& c, const Crs& crs) {
  GpkgWriter w(job.out, job.overwrite);
  {
    LayerWriter& L = w.begin_layer(
        "evaluation", GeometryType::kNone, crs,
        {{"method", FieldType::kText}, {"coverage_pct", FieldType::kReal}, {"fold", FieldType::kInteger},
         {"train_from", FieldType::kText}, {"train_to", FieldType::kText}, {"test_from", FieldType::kText},
         {"test_to", FieldType::kText}, {"train_incidents", FieldType::kInteger},
         {"test_incidents", FieldType::kInteger}, {"hit_rate", FieldType::kReal}, {"pai", FieldType::kReal},
         {"pei", FieldType::kReal}, {"rri", FieldType::kReal}, {"flagged_cells", FieldType::kInteger},
         {"flagged_area_pct", FieldType::kReal}},
        "hotspot evaluate: hit rate, PAI, PEI and RRI per method, coverage and fold");
    for (const auto& row : r.rows) {
      const EvalFold& f = r.folds[static_cast<std::size_t>(row.fold - 1)];
      L.set(0, std::string_view(row.method));
      L.set(1, row.coverage_pct);
      L.set(2, std::int64_t{row.fold});
      L.set(3, std::string_view(f.train_from)), L.set(4, std::string_view(f.train_to));
      L.set(5, std::string_view(f.test_from)), L.set(6, std::string_view(f.test_to));
      L.set(7, f.train_incidents), L.set(8, f.test_incidents);
      L.set(9, row.hit_rate), L.set(10, row.pai), L.set(11, row.pei), L.set(12, row.rri);
      L.set(13, row.flagged_cells), L.set(14, row.flagged_area_pct);
      L.insert();
    }
  }
  {
    std::vector<FieldDef> fields = {{"method", FieldType::kText}, {"coverage_pct", FieldType::kReal}};
    for (const char* m : {"hit_rate", "pai", "pei", "rri"})
      for (const char* s : {"_mean", "_sd", "_min", "_max"}) fields.push_back({std::string(m) + s, FieldType::kReal});
    LayerWriter& L = w.begin_layer("evaluation_summary", GeometryType::kNone, crs, fields,
                                   "hotspot evaluate: mean, sd, min and max over the folds");
    for (const auto& s : r.summary) {
      L.set(0, std::string_view(s.method));
      L.set(1, s.coverage_pct);
      int f = 2;
      for (const EvalStat* st : {&s.hit_rate, &s.pai, &s.pei, &s.rri})
        L.set(f++, st->mean), L.set(f++, st->sd), L.set(f++, st->min), L.set(f++, st->max);
      L.insert();
    }
  }
  const json summary = json::parse(format_eval_json(r));
  write_run_metadata(w, crs,
                     {{"parameters", {{"command", "evaluate"}, {"command_line", job.command_line},
                                      {"config", c.path}, {"config_sha256", c.sha256},
                                      {"evaluate", summary["parameters"]},
                                      {"window", {{"name", job.window_name}, {"from", job.window.from}, {"to", job.window.to},
                                                  {"hours", job.window.hours}, {"days", job.window.days},
                                                  {"categories", job.categories}}}}},
                      {"inputs", input_hashes(c.inputs)},
                      {"versions", versions()},
                      {"counts", summary["incidents"]},
                      {"recommendation", summary["recommendation"]},
                      {"as_of", r.last_date}});
  w.commit();
}

// --window NAME: the window and categories of the configuration's kde or local analysis of that
// name (analyses of one name share their window: make_plan checks it).
void named_window(const RunConfig& c, const std::string& name, TimeWindow& window,
                  std::vector<std::string>& categories) {
  const Plan plan = make_plan(c);
  for (const auto& k : plan.kdes)
    if (k.name == name) {
      window = k.window, categories = k.categories;
      return;
    }
  for (const auto& [o, layer] : plan.locals)
    if (o.name == name) {
      window = o.window, categories = o.categories;
      return;
    }
  std::string names;
  std::vector<std::string> seen;
  for (const auto& a : c.analyses)
    if (!a.name().empty() && std::find(seen.begin(), seen.end(), a.name()) == seen.end()) {
      seen.push_back(a.name());
      names += (names.empty() ? "" : ", ") + a.name();
    }
  throw UsageError("--window " + name + ": '" + c.path + "' has no kde or local analysis named '" +
                   name + "' (" + (names.empty() ? "it names none" : "names: " + names) + ")");
}

}  // namespace

EvaluateResult run_evaluate_job(const EvaluateJob& job_in) {
  if (job_in.config.empty()) throw UsageError("--config is required");
  RunConfig c = load_run_config(job_in.config);
  if (job_in.threads >= 0) c.inputs.threads = job_in.threads;
  EvaluateJob job = job_in;
  if (!job.window_name.empty()) {
    if (job.window.any() || !job.categories.empty())
      throw UsageError("--window " + job.window_name +
                       ": the analysis' window is used; give --hours, --days and --category "
                       "without --window");
    named_window(c, job.window_name, job.window, job.categories);
  }
  check_window(job.window);
  // Refused before anything is read: an output over an input, or over a file hotspot did not write.
  if (!job.out.empty()) {
    refuse_overwriting_inputs(job.out, input_paths(c.inputs));
    check_output_replaceable(job.out, job.overwrite);
  }
  if (!job.plot.empty()) refuse_overwriting_inputs(job.plot, input_paths(c.inputs), "--plot");
  LoadedInputs in = load_inputs(c.inputs);
  const Incidents& inc = in.incidents;
  const int offset = c.inputs.incidents.utc_offset_minutes;
  const std::vector<char> ok = select_categories(inc.categories, job.categories);
  std::vector<double> x, y;
  std::vector<std::int64_t> t;
  std::int64_t outside_window = 0;
  // The shared window rule (hotspot/window.hpp), incident by incident: the incidents a kde of
  // the same window uses. Those without a time (or date-only in an hour window) go through
  // without one: evaluate counts them and leaves them out.
  for (std::size_t i = 0; i < inc.size(); ++i) {
    const WindowMiss miss =
        window_miss(job.window, ok, inc.category[i], inc.time_utc[i], inc.date_only(i), offset);
    if (miss != WindowMiss::kInside && miss != WindowMiss::kUntimed) {
      ++outside_window;
      continue;
    }
    x.push_back(inc.x[i]), y.push_back(inc.y[i]);
    t.push_back(miss == WindowMiss::kUntimed ? kNoTime : inc.time_utc[i]);
  }
  std::vector<XY> pts;
  if (in.communes.geom.empty())
    for (std::size_t i = 0; i < inc.size(); ++i) pts.push_back({inc.x[i], inc.y[i]});
  const MultiPolygon area = study_area(in.communes.geom, pts, job.options.cell_m / 2);
  EvaluateOptions o = job.options;
  o.threads = c.inputs.threads;
  EvaluateResult r = evaluate(x, y, t, offset, area, o);
  r.planar = in.work_crs.planar();
  r.outside_window = outside_window;
  r.incidents_read += outside_window;
  if (in.communes.geom.empty())
    r.warnings.push_back(
        "no communes in the configuration: the study area is the incidents' convex hull, grown by "
        "half a cell");
  if (!job.out.empty()) {
    std::error_code ec;
    if (fs::path(job.out).has_parent_path()) fs::create_directories(fs::path(job.out).parent_path(), ec);
    write_tables(r, job, c, in.work_crs);
  }
  if (!job.plot.empty()) plot_evaluation(r, job.plot);
  return r;
}

}  // namespace hotspot
