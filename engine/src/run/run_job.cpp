// hotspot run: config -> plan (every option checked) -> load once -> steps -> one GeoPackage,
// the QGIS project, the quick-look map and a JSON summary.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>

#include "hotspot/aggregate.hpp"
#include "hotspot/cluster.hpp"
#include "hotspot/density.hpp"
#include "hotspot/emerging.hpp"
#include "hotspot/error.hpp"
#include "hotspot/jobs/local.hpp"
#include "hotspot/run.hpp"
#include "io/gpkg_writer.hpp"
#include "io/lines.hpp"
#include "io/styles.hpp"
#include "jobs/aggregate_steps.hpp"
#include "jobs/load.hpp"
#include "jobs/outputs.hpp"
#include "jobs/steps.hpp"
#include "render/quicklook.hpp"
#include "run/check.hpp"
#include "run/identity.hpp"
#include "run/plan.hpp"
#include "run/run_config.hpp"
#include "run/spelling.hpp"
#include "util/parallel.hpp"
#include "util/time.hpp"
#include "util/timer.hpp"

namespace hotspot {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// 50003 -> "50,003"
std::string grouped(std::int64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// The local dates (YYYY-MM-DD) of the earliest and the latest incident; both empty without times.
// The latest is the day the run speaks for ("as of").
struct DateRange {
  std::string first, last;
};
DateRange local_date_range(const Incidents& inc, int utc_offset_minutes) {
  std::int64_t earliest = std::numeric_limits<std::int64_t>::max(), latest = kNoTime;
  for (auto t : inc.time_utc)
    if (t != kNoTime) earliest = std::min(earliest, t), latest = std::max(latest, t);
  if (latest == kNoTime) return {};
  auto date = [&](std::int64_t t) {
    return format_utc(t + std::int64_t{utc_offset_minutes} * 60).substr(0, 10);
  };
  return {date(earliest), date(latest)};
}

// The quick-look and the briefings: written after the GeoPackage, from it.
std::vector<std::string> side_outputs(const RunConfig& c) {
  std::vector<std::string> out;
  if (c.quicklook) out.push_back(fs::path(c.out).replace_extension(".png").string());
  for (const auto& [name, brief] : c.briefings) out.push_back(brief.out);
  return out;
}

// --if-changed: the reason to skip, or "" to run.
std::string unchanged_reason(const RunConfig& c, const json& inputs) {
  const json meta = read_run_metadata(c.out);
  if (!meta.is_object()) return "";
  if (meta.value("config_sha256", json()) != json(c.sha256)) return "";
  // A partial output is made again: the failure may have been the machine's (memory).
  if (meta.value("status", json("ok")) != json("ok")) return "";
  if (!meta.contains("versions") || meta["versions"].value("hotspot", "") != versions()["hotspot"])
    return "";
  if (!meta.contains("inputs") || !meta["inputs"].is_object()) return "";
  for (const auto& [key, now] : inputs.items()) {
    const json before = meta["inputs"].value(key, json());
    const json a = now.is_object() ? now.value("sha256", json()) : json();
    const json b = before.is_object() ? before.value("sha256", json()) : json();
    if (a != b) return "";
  }
  // A quick-look or briefing that is missing or older than the GeoPackage: the run that wrote it
  // was stopped before them, or a briefing could not be made (and its old PDF was removed).
  std::error_code ec;
  const auto written = fs::last_write_time(c.out, ec);
  if (ec) return "";
  for (const auto& side : side_outputs(c))
    if (const auto t = fs::last_write_time(side, ec); ec || t < written) return "";
  return "the configuration and every input are unchanged since " + c.out + " was written";
}

// Layer order in the QGIS project, top first: points, hotspots, zones, then the area layers, the
// density raster at the bottom.
int draw_rank(const ProjectLayer& l) {
  static const std::vector<std::string> order = {
      "incidents",     "cluster_members",  "hotspot_zones", "vanished_hotspots", "clusters",
      "zones",         "communes_outline", "zone_communes", "emerging",          "communes"};
  if (l.raster) return 1000;
  // A named kde's zones (hotspot_zones_night) sit with the unnamed one's.
  const std::string id = l.id.rfind("hotspot_zones_", 0) == 0 ? "hotspot_zones" : l.id;
  auto it = std::find(order.begin(), order.end(), id);
  if (it != order.end()) return static_cast<int>(it - order.begin());
  return 100;  // local statistics layers, between the vectors and the raster
}

// {"emerging": {"status": "failed", "error": ..., "exit_class": "input", "exit_code": 3}, ...}
json failed_json(const std::vector<FailedAnalysis>& failed) {
  json out = json::object();
  for (const auto& f : failed)
    out[f.name] = {{"status", "failed"},
                   {"error", f.error},
                   {"exit_class", f.exit_class},
                   {"exit_code", f.exit_code}};
  return out;
}

// The quick-look's subtitle: the window the density used (its dates, else the data's; hours,
// days, categories) and how many incidents it used.
std::string quicklook_subtitle(const KdeStepOptions* kde, bool kde_done, const DateRange& dates,
                               std::int64_t incidents, std::int64_t used) {
  std::string from = dates.first, to = dates.last;
  std::vector<std::string> parts;
  if (kde) {
    const TimeWindow& w = kde->window;
    if (!w.from.empty()) from = w.from;
    if (!w.to.empty()) to = w.to;
  }
  parts.push_back(from.empty() ? std::string("no dates") : from + " – " + to);
  if (!kde) {
    parts.push_back(grouped(incidents) + " incidents");
  } else {
    if (!kde->name.empty()) parts.push_back(kde->name);
    const TimeWindow& w = kde->window;
    if (!w.hours.empty()) parts.push_back(w.hours);
    if (!w.days.empty()) parts.push_back(w.days);
    if (!kde->categories.empty()) {
      std::string c;
      for (const auto& name : kde->categories) c += (c.empty() ? "" : ", ") + name;
      parts.push_back(c);
    }
    if (kde_done)
      parts.push_back("density from " + grouped(used) +
                      (used == incidents ? "" : " of " + grouped(incidents)) + " incidents");
    else
      parts.push_back("no density: " + std::string(kde->name.empty() ? "kde" : "kde_" + kde->name) +
                      " failed");
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : " · ") + p;
  return out;
}

// run_metadata's "windows": each analysis name with its window and the hotspot layers its
// analyses wrote, {"night": {"from": ..., "categories": [...], "layers": [{"layer":
// "hotspot_zones_night", "source": "zones"}, ...]}}, for hotspot top --window and evaluate.
json named_windows(const Plan& plan, const std::vector<StepResult>& steps) {
  json out = json::object();
  for (const auto& k : plan.kdes)
    if (!k.name.empty()) out[k.name] = window_json(k.window, k.categories);
  for (const auto& [o, layer] : plan.locals)
    if (!o.name.empty() && !out.contains(o.name)) out[o.name] = window_json(o.window, o.categories);
  for (auto& [name, w] : out.items()) w["layers"] = json::array();
  for (const auto& st : steps) {
    const json& p = st.parameters;
    if (!p.is_object() || !p.contains("name") || !p.contains("hotspot_layer")) continue;
    const std::string name = p["name"].get<std::string>();
    if (out.contains(name))
      out[name]["layers"].push_back(
          {{"layer", p["hotspot_layer"]}, {"source", p.contains("kernel") ? "zones" : "gi"}});
  }
  return out;
}

json summary_document(const RunConfig& c, const RunSummary& s, const std::vector<StepResult>& steps,
                      const json& inputs, const std::string& quicklook, const json& briefings,
                      double total) {
  json by_reason = json::object();
  for (const auto& rej : s.ingest.rejected)
    by_reason[reason_code(rej.reason)] = by_reason.value(reason_code(rej.reason), 0) + 1;
  json analyses = json::object();
  json bandwidths = json::object(), scales = json::object();
  for (const auto& st : steps) {
    double seconds = 0;
    for (const auto& t : st.timings) seconds += t.seconds;
    analyses[st.name] = {{"status", "ok"},
                         {"parameters", st.parameters},
                         {"counts", st.counts},
                         {"seconds", seconds}};
    // The distances each analysis worked at: KDE bandwidth, DBSCAN eps, the band of band weights
    // or of emerging's neighbourhood; and the raster or grid cell size.
    auto positive = [&](const char* key) {
      return st.parameters.contains(key) && st.parameters[key].is_number() &&
             st.parameters[key].get<double>() > 0;
    };
    for (const char* key : {"bandwidth_m", "eps_m", "band"})
      if (positive(key)) bandwidths[st.name] = st.parameters[key];
    for (const char* key : {"cell_m", "cell_size"})
      if (positive(key)) scales[st.name] = st.parameters[key];
  }
  const json failures = failed_json(s.failed);  // (named: items() does not keep a temporary)
  for (const auto& [name, f] : failures.items())  // a failed briefing is under output.briefings
    if (name.rfind("briefing ", 0) != 0) analyses[name] = f;
  json layers = json::array();
  for (const auto& [name, n] : s.layers) layers.push_back({{"name", name}, {"features", n}});
  return {
      {"status", s.failed.empty() ? "ok" : "partial"},
      {"exit_code", s.failed.empty() ? 0 : kExitPartial},
      {"config", {{"path", c.path}, {"sha256", c.sha256}}},
      {"output",
       {{"gpkg", c.out},
        {"quicklook", quicklook.empty() ? json(nullptr) : json(quicklook)},
        {"briefings", briefings}}},
      {"counts",
       {{"read", s.ingest.read},
        {"accepted", s.ingest.accepted},
        {"rejected", static_cast<std::int64_t>(s.ingest.rejected.size())},
        {"rejected_by_reason", by_reason},
        {"swapped_fixed", s.ingest.swapped_fixed},
        {"polygons_repaired", s.polygons_repaired},
        {"polygons_dropped", static_cast<std::int64_t>(s.polygons_dropped.size())},
        {"outside_communes", s.outside_communes >= 0 ? json(s.outside_communes) : json(nullptr)}}},
      {"work_crs", {{"crs", s.work_crs}, {"reason", s.work_crs_reason}}},
      {"bandwidths_m", bandwidths},
      {"scales_m", scales},
      {"analyses", analyses},
      {"layers", layers},
      {"timings_s", timings_json(s.timings)},
      {"total_s", total},
      {"versions", versions()},
      {"inputs", inputs},
      {"warnings", s.warnings}};
}

}  // namespace

ConfigCheck check_run_config(const std::string& path, std::uint64_t max_memory) {
  RunConfig c = load_run_config(path);
  if (max_memory > 0) c.inputs.max_memory = max_memory;
  const Plan plan = make_plan(c);
  ConfigCheck check = check_config_inputs(c, plan);
  // The resource estimates need the inputs' counts, extents and times: every row is read.
  try {
    preflight_plan(plan, load_inputs(c.inputs));
  } catch (const Error& e) {
    rethrow_config_spelled(e);
  }
  return check;
}

RunSummary validate_run_config(const std::string& path, int threads, ConfigCheck* checked) {
  ConfigCheck check = check_run_config(path);
  InputOptions in = check.inputs;
  if (threads > 0) in.threads = threads;
  RunSummary s;
  try {
    s = run_validate(in);
  } catch (const Error& e) {
    rethrow_config_spelled(e);
  }
  for (auto& w : s.warnings) w = config_spelled(w);
  for (auto& r : s.ingest.rejected) r.message = config_spelled(r.message);
  if (checked) *checked = std::move(check);
  return s;
}

RunJobResult run_job(const RunJobOptions& opt) {
  Timer clock;
  auto log = [&](LogLevel level, const std::string& m) {
    if (opt.log) opt.log(level, m);
  };
  RunConfig c = load_run_config(opt.config);
  if (opt.threads >= 0) c.inputs.threads = opt.threads;
  if (opt.max_memory > 0) c.inputs.max_memory = opt.max_memory;
  const Plan plan = make_plan(c);  // every option checked: nothing has been read yet
  check_output_replaceable(c.out, opt.overwrite);
  check_output_directory(c.out);
  if (!opt.previous.empty()) {  // checked with the config's previous, which it replaces
    std::error_code ec;
    if (!fs::exists(opt.previous, ec))
      throw IoError("--previous '" + opt.previous +
                    "' does not exist; hotspot ids carry over from an earlier output");
    c.previous = opt.previous;
  }
  log(LogLevel::kDebug, "configuration " + c.path + " is valid (sha256 " + c.sha256 + ")");

  RunJobResult result;
  // Hashed before the load for --if-changed; a CSV's entry is replaced below by the hash of
  // exactly the bytes the load parsed. Without --if-changed they are hashed after the load, which
  // hashes a CSV while parsing it, so the file is not read twice.
  json inputs = opt.if_changed ? input_hashes(c.inputs) : json();
  if (opt.if_changed) {
    result.skip_reason = unchanged_reason(c, inputs);
    if (!result.skip_reason.empty()) {
      result.skipped = true;
      result.run.out = c.out;
      result.summary_json = json{
          {"status", "skipped"},
          {"reason", result.skip_reason},
          {"config", {{"path", c.path}, {"sha256", c.sha256}}},
          {"output", {{"gpkg", c.out}, {"quicklook", nullptr}}},
          {"versions", versions()},
          {"inputs", inputs}}.dump(2);
      return result;
    }
  }

  // Everything knowable before the heavy work (the inputs open, fields and times are there), so a
  // run that cannot finish stops before its first step.
  for (const auto& w : check_config_inputs(c, plan).warnings) log(LogLevel::kWarn, w);

  const int steps_total = plan.count() + 2 + (plan.aggregate ? 0 : 1);  // + load, + write (+ incidents)
  int step_no = 0;
  auto begin = [&](const std::string& name) {
    ++step_no;
    log(LogLevel::kInfo,
        "[" + std::to_string(step_no) + "/" + std::to_string(steps_total) + "] " + name);
    if (opt.progress) opt.progress(step_no, steps_total, name);
  };

  begin("load inputs");
  LoadedInputs in;
  try {
    in = load_inputs(c.inputs);
  } catch (const Error& e) {
    rethrow_config_spelled(e);
  }
  if (!opt.if_changed) inputs = input_hashes(c.inputs, in.incidents_sha256);
  record_parsed_incidents(inputs, in);
  for (auto& r : in.report.rejected) r.message = config_spelled(r.message);
  in.work_crs_reason = config_spelled(in.work_crs_reason);  // "given as work_crs"
  // No incident at all is the data's failure, not one analysis's: nothing is written (exit 3).
  if (in.incidents.size() == 0)
    throw InputError("incidents '" + c.inputs.incidents.path + "': no incident was accepted (" +
                     std::to_string(in.report.read) + " rows read); nothing to analyse");
  preflight_plan(plan, in);  // refuse a resource bomb before the first step
  // Read before anything is written: a bad roads file fails the run, not the map after it.
  const std::vector<std::vector<XY>> roads =
      c.roads.path.empty() ? std::vector<std::vector<XY>>{} : read_lines(c.roads, in.work_crs, "inputs.roads");
  RunSummary s = summarise(in);
  for (auto& w : s.warnings) w = config_spelled(w);
  const int threads = resolve_threads(c.inputs.threads);
  const int offset = c.inputs.incidents.utc_offset_minutes;
  const DateRange dates = local_date_range(in.incidents, offset);
  const std::string& as_of = dates.last;
  Timer timer;
  // Every run writes the incidents layer (with aggregate, or on its own), with their communes.
  std::optional<Assignment> elsewhere;
  if (opt.distribution.assign) elsewhere = opt.distribution.assign(in.incidents, in.communes, in.zones);
  const Assignment assignment =
      elsewhere ? std::move(*elsewhere) : assign_incidents(in.incidents, in.communes, in.zones, threads);
  if (assignment.commune.size() != in.incidents.size() || assignment.zone.size() != in.incidents.size())
    throw InternalError("assign: the communes computed elsewhere are not one per incident");
  s.outside_communes = assignment.outside_communes;
  warn_outside_communes(in, assignment.outside_communes, s.warnings);
  s.timings.push_back({"assign", timer.lap()});

  const std::string previous = !opt.previous.empty() ? opt.previous
                               : !c.previous.empty() ? c.previous
                                                     : c.out;
  HotspotHistory history = HotspotHistory::read(previous, in.work_crs, s.warnings);
  if (!history.empty()) log(LogLevel::kInfo, "hotspot ids carried over from " + previous);

  GpkgWriter w(c.out, opt.overwrite);
  StepContext ctx{in, w, fs::path(c.out).filename().string(), threads, {}, {}};
  ctx.identify = [&](const std::string& layer, const std::vector<MultiPolygon>& geoms) {
    return history.match(layer, geoms, as_of);
  };
  ctx.log = [&](const std::string& m) { log(LogLevel::kInfo, m); };
  ctx.distribution = &opt.distribution;

  std::vector<StepResult> steps;
  KdeArtifacts kde_art;
  // Each analysis is a part of the file: one that fails is rolled back and recorded, and the run
  // goes on (unless strict). An I/O error is the output's own failure and ends the run.
  auto run_step = [&](const std::string& name, auto&& fn) {
    begin(name);
    Timer t;
    // The analysis this step runs (a local step is named by its layer), for its option spellings.
    FlagPaths spelled;
    for (const auto& a : c.analyses)
      if (a.step() == name) spelled = analysis_flag_paths(a);
    StepResult r;
    const HotspotHistory history_before = history;
    if (!opt.strict) w.begin_part();
    try {
      try {
        r = fn();
      } catch (const Error& e) {
        rethrow_config_spelled(e, spelled);
      }
      if (!opt.strict) w.end_part();
    } catch (const Error& e) {
      if (opt.strict || e.kind() == ErrorKind::kIo) throw;
      w.abandon_part();
      history = history_before;
      s.failed.push_back({name, e.what(), error_class(e.kind()), exit_code_of(e.kind())});
    } catch (const std::bad_alloc&) {
      if (opt.strict) throw;
      w.abandon_part();
      history = history_before;
      s.failed.push_back({name, "out of memory", error_class(ErrorKind::kInternal),
                          exit_code_of(ErrorKind::kInternal)});
    }
    if (!s.failed.empty() && s.failed.back().name == name) {
      log(LogLevel::kError, name + " failed, the other analyses go on: " + s.failed.back().error);
      return false;
    }
    for (auto& wmsg : r.warnings) wmsg = config_spelled(wmsg, spelled);
    for (auto& d : r.details) d = config_spelled(d, spelled);
    for (auto& st : r.timings) s.timings.push_back({name + ": " + st.step, st.seconds});
    s.layers.insert(s.layers.end(), r.layers.begin(), r.layers.end());
    if (!r.details.empty()) s.details.push_back("── " + name);
    for (const auto& d : r.details) s.details.push_back(d);
    for (const auto& wmsg : r.warnings) s.warnings.push_back(name + ": " + wmsg);
    log(LogLevel::kDebug, name + " took " + std::to_string(t.lap()) + " s");
    steps.push_back(std::move(r));
    return true;
  };
  if (plan.aggregate) {
    if (run_step("aggregate", [&] { return aggregate_step(ctx, assignment, *plan.aggregate); }))
      s.zone_commune_links = steps.back().counts["zone_commune_links"].get<std::int64_t>();
  } else {
    run_step("incidents", [&] { return incidents_step(ctx, assignment); });
    // Communes are a required input: their outlines (and the zones') give every run its context.
    run_step("context", [&] { return context_step(ctx); });
  }
  if (plan.profiles) run_step("profiles", [&] { return profiles_step(ctx, assignment); });
  // Several kde analyses (one per named window); the quick-look draws the primary one's surface.
  bool kde_done = false;
  const KdeStepOptions* primary = plan.primary_kde();
  for (const auto& kde : plan.kdes) {
    const bool is_primary = &kde == primary;
    const bool done = run_step(kde.name.empty() ? "kde" : "kde_" + kde.name, [&] {
      return kde_step(ctx, kde, is_primary ? &kde_art : nullptr);
    });
    if (is_primary) kde_done = done;
    // Only the primary surface and zones are on when the project opens; the others are a click
    // away under Hotspots.
    if (done && !is_primary)
      for (auto& layer : steps.back().project) layer.visible = false;
  }
  if (plan.clusters)
    run_step("clusters", [&] {
      return cluster_step(ctx, *plan.clusters, "cluster_members", /*members_only=*/true);
    });
  for (const auto& local :
       plan.locals) {  // (not a structured binding: clang 14 cannot capture those)
    const bool done =
        run_step(local.second, [&] { return local_step(ctx, local.first, local.second); });
    // A named local analysis is on when the project opens only with the primary kde's window.
    const std::string& name = local.first.name;
    if (done && !name.empty() && (!primary || primary->name != name))
      for (auto& layer : steps.back().project) layer.visible = false;
  }
  if (plan.emerging) run_step("emerging", [&] { return emerging_step(ctx, *plan.emerging); });
  if (plan.knox) run_step("near_repeat", [&] { return near_repeat_step(ctx, *plan.knox); });

  begin("write");
  timer.lap();
  StepResult tail;
  tail.name = "identity";
  write_vanished(w, in.work_crs, history, tail, ctx.gpkg_name);
  s.layers.insert(s.layers.end(), tail.layers.begin(), tail.layers.end());
  // One QGIS project with every layer, in draw order.
  for (auto& st : steps) {
    tail.project.insert(tail.project.end(), st.project.begin(), st.project.end());
    st.project.clear();
  }
  std::stable_sort(
      tail.project.begin(), tail.project.end(),
      [](const ProjectLayer& a, const ProjectLayer& b) { return draw_rank(a) < draw_rank(b); });
  steps.push_back(std::move(tail));
  s.layers.push_back({"rejected_incidents", static_cast<std::int64_t>(s.ingest.rejected.size())});

  json params = {{"command", "run"},
                 {"config", c.document},
                 {"config_path", c.path},
                 {"work_crs", s.work_crs},
                 {"work_crs_reason", s.work_crs_reason},
                 {"threads", c.inputs.threads},
                 {"utc_offset_minutes", offset},
                 {"previous", previous}};
  json counts = load_counts(s);
  counts.update(
      {{"outside_communes", s.outside_communes}, {"polygons_repaired", s.polygons_repaired}});
  json seeds = json::object();
  for (const auto& st : steps) {
    if (st.name == "identity") continue;
    params["analyses"][st.name] = st.parameters;
    counts["analyses"][st.name] = st.counts;
    if (st.seed) seeds[st.name] = st.seed;
  }
  const json failures = failed_json(s.failed);
  const json windows = named_windows(plan, steps);
  s.timings.push_back({"write", timer.lap()});
  JobMetadata meta{
      params,
      inputs,
      counts,
      seeds.empty() ? json(nullptr) : seeds,
      c.title,
      {{"config_sha256", c.sha256},
       {"as_of", as_of.empty() ? json(nullptr) : json(as_of)},
       {"hotspot_ids_issued", history.issued()},
       {"status", s.failed.empty() ? "ok" : "partial"},
       {"failed_analyses", failures},
       {"windows", windows}}};
  finish_job(w, in, s, steps, meta, offset);
  // Profiles, the project, run_metadata and the commit: after run_metadata was written, so this
  // figure reaches the summary and --json only.
  s.timings.push_back({"profiles and commit", timer.lap()});
  s.out = c.out;

  if (c.quicklook) {
    QuickLookInput q;
    q.title = c.title;
    q.subtitle = quicklook_subtitle(primary, kde_done, dates,
                                    static_cast<std::int64_t>(in.incidents.size()), kde_art.used);
    q.crs_label = in.work_crs.authority.empty() ? in.work_crs.name : in.work_crs.authority;
    q.planar = in.work_crs.planar();
    if (kde_done) {
      q.density = &kde_art.raster;
      q.density_unit = kde_art.unit;
      q.density_threshold = kde_art.threshold;
      q.hotspot_zones = kde_art.zones;
      q.hotspot_ids = kde_art.zone_ids;
    }
    q.roads = roads;
    q.communes = in.communes.geom;
    q.commune_names = in.communes.name;
    q.zones = in.zones.geom;
    q.zone_names = in.zones.name;
    q.width_px = c.quicklook_width;
    result.quicklook = fs::path(c.out).replace_extension(".png").string();
    write_quicklook_png(result.quicklook, q);
    s.timings.push_back({"quick-look map", timer.lap()});
  }
  // A briefing that cannot be made fails on its own, as an analysis does (exit 5), and its PDF
  // of an earlier run is removed: a planner must not print last night's as tonight's.
  json briefings = json::object();
  for (auto [name, brief] : c.briefings) {
    brief.utc_offset_minutes = offset;
    brief.road_lines = roads;
    try {
      const BriefResult b = write_brief(brief);
      s.details.push_back("briefing   " + name + ": " + brief.out + " (" + std::to_string(b.pages) + " pages)");
      briefings[name] = {{"pdf", brief.out}, {"status", "ok"}, {"pages", b.pages}};
    } catch (const Error& e) {
      std::error_code ec;
      fs::remove(brief.out, ec);
      s.failed.push_back({"briefing " + name, e.what(), error_class(e.kind()), exit_code_of(e.kind())});
      log(LogLevel::kError, "briefing " + name + " failed: " + e.what());
      briefings[name] = {{"pdf", brief.out}, {"status", "failed"}, {"error", e.what()}};
    }
  }
  if (!c.briefings.empty()) s.timings.push_back({"briefings", timer.lap()});
  if (opt.progress) opt.progress(steps_total + 1, steps_total, "done");
  result.summary_json =
      summary_document(c, s, steps, inputs, result.quicklook, briefings, clock.lap()).dump(2);
  result.run = std::move(s);
  return result;
}

}  // namespace hotspot
