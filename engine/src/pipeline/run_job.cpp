// hotspot run: config -> plan (every option checked) -> load once -> steps -> one GeoPackage,
// the QGIS project, the quick-look map and a JSON summary.
#include "hotspot/run.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <optional>

#include "hotspot/aggregate.hpp"
#include "hotspot/cluster.hpp"
#include "hotspot/density.hpp"
#include "hotspot/emerging.hpp"
#include "hotspot/error.hpp"
#include "hotspot/local.hpp"
#include "io/gpkg_writer.hpp"
#include "io/styles.hpp"
#include "pipeline/aggregate_steps.hpp"
#include "pipeline/identity.hpp"
#include "pipeline/load.hpp"
#include "pipeline/outputs.hpp"
#include "pipeline/run_config.hpp"
#include "pipeline/steps.hpp"
#include "render/quicklook.hpp"
#include "util/parallel.hpp"
#include "util/time.hpp"
#include "util/timer.hpp"

namespace hotspot {

namespace fs = std::filesystem;
using json = nlohmann::json;

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

// 50003 -> "50,003"
std::string grouped(std::int64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string number(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// Every analysis of the configuration turned into the options of its step, all checked before any
// data is read. Steps run in this fixed order whatever the order in the file.
struct Plan {
  std::optional<double> aggregate;  // zone buffer, metres
  bool profiles = false;
  std::optional<KdeRunOptions> kde;
  std::optional<ClusterJobOptions> clusters;
  std::vector<std::pair<LocalOptions, std::string>> locals;  // options, layer
  std::optional<EmergingOptions> emerging;
  std::optional<KnoxOptions> knox;
  int count() const {
    return static_cast<int>(aggregate.has_value()) + profiles + static_cast<int>(kde.has_value()) +
           static_cast<int>(clusters.has_value()) + static_cast<int>(locals.size()) +
           static_cast<int>(emerging.has_value()) + static_cast<int>(knox.has_value());
  }
};

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

KnoxOptions knox_options(const AnalysisConfig& a, const RunConfig& c) {
  KnoxOptions o;
  o.space_bands = option(a, "space_bands", std::vector<double>{0, 100, 200, 400});
  o.time_bands_days = option(a, "time_bands", std::vector<double>{0, 7, 14, 28});
  o.permutations = option(a, "permutations", 99);
  o.seed = option<std::uint64_t>(a, "seed", o.seed);
  o.threads = c.inputs.threads;
  at(a, [&] { check_near_repeat_options(o); });
  return o;
}

Plan make_plan(const RunConfig& c) {
  Plan p;
  for (const auto& a : c.analyses) {
    if (a.type == "aggregate") p.aggregate = option(a, "zone_buffer_m", 1000.0);
    if (a.type == "profiles") p.profiles = true;
    if (a.type == "kde") p.kde = kde_options(a, c);
    if (a.type == "clusters") p.clusters = cluster_options(a, c);
    if (a.type == "local") p.locals.push_back(local_options(a, c));
    if (a.type == "emerging") p.emerging = emerging_options(a, c);
    if (a.type == "near_repeat") p.knox = knox_options(a, c);
  }
  return p;
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
  auto date = [&](std::int64_t t) { return format_utc(t + std::int64_t{utc_offset_minutes} * 60).substr(0, 10); };
  return {date(earliest), date(latest)};
}

// --if-changed: the reason to skip, or "" to run.
std::string unchanged_reason(const RunConfig& c, const json& inputs) {
  const json meta = read_run_metadata(c.out);
  if (!meta.is_object()) return "";
  if (meta.value("config_sha256", json()) != json(c.sha256)) return "";
  if (!meta.contains("versions") || meta["versions"].value("hotspot", "") != versions()["hotspot"]) return "";
  if (!meta.contains("inputs") || !meta["inputs"].is_object()) return "";
  for (const auto& [key, now] : inputs.items()) {
    const json before = meta["inputs"].value(key, json());
    const json a = now.is_object() ? now.value("sha256", json()) : json();
    const json b = before.is_object() ? before.value("sha256", json()) : json();
    if (a != b) return "";
  }
  return "the configuration and every input are unchanged since " + c.out + " was written";
}

// Layer order in the QGIS project, top first: points, hotspots, zones, then the area layers, the
// density raster at the bottom.
int draw_rank(const ProjectLayer& l) {
  static const std::vector<std::string> order = {"incidents", "cluster_members", "hotspot_zones", "vanished_hotspots",
                                                 "clusters", "zones", "zone_communes", "emerging", "communes"};
  if (l.raster) return 1000;
  auto it = std::find(order.begin(), order.end(), l.id);
  if (it != order.end()) return static_cast<int>(it - order.begin());
  return 100;  // local statistics layers, between the vectors and the raster
}

void write_vanished(GpkgWriter& w, const Crs& crs, const HotspotHistory& history, StepResult& r,
                    const std::string& gpkg_name) {
  auto gone = history.vanished();
  LayerWriter& L = w.begin_layer("vanished_hotspots", GeometryType::kMultiPolygon, crs,
                                 {{"hotspot_id", FieldType::Text}, {"layer", FieldType::Text},
                                  {"status", FieldType::Text}, {"first_seen", FieldType::Text},
                                  {"last_seen", FieldType::Text}},
                                 "Hotspots of the previous run that this run no longer finds (kept for one run)");
  Box box;
  for (const PreviousHotspot* p : gone) {
    L.set_geometry(p->geom);
    L.set(0, std::string_view(p->hotspot_id));
    L.set(1, std::string_view(p->layer));
    L.set(2, std::string_view("vanished"));
    if (!p->first_seen.empty()) L.set(3, std::string_view(p->first_seen));
    if (!history.previous_as_of().empty()) L.set(4, std::string_view(history.previous_as_of()));
    L.insert();
    box.expand(bounds(p->geom));
  }
  const std::string qml = categorized_colors_qml("layer", {"hotspot_zones", "clusters"},
                                                 {"vanished hotspot zone", "vanished cluster"},
                                                 {{150, 150, 150}, {110, 110, 140}}, false);
  w.add_style("vanished_hotspots", "vanished", qml);
  r.layers.push_back({"vanished_hotspots", static_cast<std::int64_t>(gone.size())});
  if (!gone.empty())
    r.project.push_back({"vanished_hotspots", "vanished_hotspots", "./" + gpkg_name + "|layername=vanished_hotspots",
                         false, qml, box});
}

json summary_document(const RunConfig& c, const RunSummary& s, const std::vector<StepResult>& steps,
                      const json& inputs, const std::string& quicklook, double total) {
  json by_reason = json::object();
  for (const auto& rej : s.ingest.rejected) by_reason[reason_code(rej.reason)] = by_reason.value(reason_code(rej.reason), 0) + 1;
  json analyses = json::object();
  json bandwidths = json::object(), scales = json::object();
  for (const auto& st : steps) {
    double seconds = 0;
    for (const auto& t : st.timings) seconds += t.seconds;
    analyses[st.name] = {{"parameters", st.parameters}, {"counts", st.counts}, {"seconds", seconds}};
    // The distances each analysis worked at: KDE bandwidth, DBSCAN eps, the band of band weights
    // or of emerging's neighbourhood; and the raster or grid cell size.
    auto positive = [&](const char* key) {
      return st.parameters.contains(key) && st.parameters[key].is_number() && st.parameters[key].get<double>() > 0;
    };
    for (const char* key : {"bandwidth_m", "eps_m", "band"})
      if (positive(key)) bandwidths[st.name] = st.parameters[key];
    for (const char* key : {"cell_m", "cell_size"})
      if (positive(key)) scales[st.name] = st.parameters[key];
  }
  json layers = json::array();
  for (const auto& [name, n] : s.layers) layers.push_back({{"name", name}, {"features", n}});
  return {{"status", "ok"},
          {"config", {{"path", c.path}, {"sha256", c.sha256}}},
          {"output", {{"gpkg", c.out}, {"quicklook", quicklook.empty() ? json(nullptr) : json(quicklook)}}},
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

void check_run_config(const std::string& path) { make_plan(load_run_config(path)); }

RunJobResult run_job(const RunJobOptions& opt) {
  Timer clock;
  auto log = [&](LogLevel level, const std::string& m) {
    if (opt.log) opt.log(level, m);
  };
  RunConfig c = load_run_config(opt.config);
  if (opt.threads >= 0) c.inputs.threads = opt.threads;
  const Plan plan = make_plan(c);  // every option checked: nothing has been read yet
  log(LogLevel::Debug, "configuration " + c.path + " is valid (sha256 " + c.sha256 + ")");

  RunJobResult result;
  const json inputs = input_hashes(c.inputs);
  if (opt.if_changed) {
    result.skip_reason = unchanged_reason(c, inputs);
    if (!result.skip_reason.empty()) {
      result.skipped = true;
      result.run.out = c.out;
      result.summary_json = json{{"status", "skipped"},
                                 {"reason", result.skip_reason},
                                 {"config", {{"path", c.path}, {"sha256", c.sha256}}},
                                 {"output", {{"gpkg", c.out}, {"quicklook", nullptr}}},
                                 {"versions", versions()},
                                 {"inputs", inputs}}
                                .dump(2);
      return result;
    }
  }

  const int steps_total = plan.count() + 2;  // + load, + write
  int step_no = 0;
  auto begin = [&](const std::string& name) {
    ++step_no;
    log(LogLevel::Info, "[" + std::to_string(step_no) + "/" + std::to_string(steps_total) + "] " + name);
    if (opt.progress) opt.progress(step_no, steps_total, name);
  };

  begin("load inputs");
  LoadedInputs in = load_inputs(c.inputs);
  RunSummary s = summarise(in);
  const int threads = resolve_threads(c.inputs.threads);
  const int offset = c.inputs.incidents.utc_offset_minutes;
  const DateRange dates = local_date_range(in.incidents, offset);
  const std::string& as_of = dates.last;
  Timer timer;
  Assignment assignment;
  if (plan.aggregate || plan.profiles) {
    assignment = assign_incidents(in.incidents, in.communes, in.zones, threads);
    s.outside_communes = assignment.outside_communes;
    s.timings.push_back({"assign", timer.lap()});
  }

  const std::string previous = !opt.previous.empty() ? opt.previous : !c.previous.empty() ? c.previous : c.out;
  HotspotHistory history = HotspotHistory::read(previous, in.work_crs, s.warnings);
  if (!history.empty()) log(LogLevel::Info, "hotspot ids carried over from " + previous);

  std::error_code ec;
  if (fs::path(c.out).has_parent_path()) fs::create_directories(fs::path(c.out).parent_path(), ec);
  GpkgWriter w(c.out);
  StepContext ctx{in, w, fs::path(c.out).filename().string(), threads, {}};
  ctx.identify = [&](const std::string& layer, const std::vector<MultiPolygon>& geoms) {
    return history.match(layer, geoms, as_of);
  };

  std::vector<StepResult> steps;
  KdeArtifacts kde_art;
  auto run_step = [&](const std::string& name, auto&& fn) {
    begin(name);
    Timer t;
    StepResult r = fn();
    for (auto& st : r.timings) s.timings.push_back({name + ": " + st.step, st.seconds});
    s.layers.insert(s.layers.end(), r.layers.begin(), r.layers.end());
    if (!r.details.empty()) s.details.push_back("── " + name);
    for (const auto& d : r.details) s.details.push_back(d);
    for (const auto& wmsg : r.warnings) s.warnings.push_back(name + ": " + wmsg);
    log(LogLevel::Debug, name + " took " + std::to_string(t.lap()) + " s");
    steps.push_back(std::move(r));
  };
  if (plan.aggregate) {
    run_step("aggregate", [&] { return aggregate_step(ctx, assignment, *plan.aggregate); });
    s.zone_commune_links = steps.back().counts["zone_commune_links"].get<std::int64_t>();
  }
  if (plan.profiles) run_step("profiles", [&] { return profiles_step(ctx, assignment); });
  if (plan.kde) run_step("kde", [&] { return kde_step(ctx, *plan.kde, &kde_art); });
  if (plan.clusters)
    run_step("clusters", [&] { return cluster_step(ctx, *plan.clusters, "cluster_members", /*members_only=*/true); });
  for (const auto& local : plan.locals)  // (not a structured binding: clang 14 cannot capture those)
    run_step(local.second, [&] { return local_step(ctx, local.first, local.second); });
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
  std::stable_sort(tail.project.begin(), tail.project.end(),
                   [](const ProjectLayer& a, const ProjectLayer& b) { return draw_rank(a) < draw_rank(b); });
  steps.push_back(std::move(tail));
  s.layers.push_back({"rejected_incidents", static_cast<std::int64_t>(s.ingest.rejected.size())});

  json params = {{"command", "run"}, {"config", c.document}, {"config_path", c.path}, {"work_crs", s.work_crs},
                 {"work_crs_reason", s.work_crs_reason}, {"threads", c.inputs.threads},
                 {"utc_offset_minutes", offset}, {"previous", previous}};
  json counts = load_counts(s);
  counts.update({{"outside_communes", s.outside_communes}, {"polygons_repaired", s.polygons_repaired}});
  json seeds = json::object();
  for (const auto& st : steps) {
    if (st.name == "identity") continue;
    params["analyses"][st.name] = st.parameters;
    counts["analyses"][st.name] = st.counts;
    if (st.seed) seeds[st.name] = st.seed;
  }
  s.timings.push_back({"write", timer.lap()});
  JobMetadata meta{params, inputs, counts, seeds.empty() ? json(nullptr) : seeds, c.title,
                   {{"config_sha256", c.sha256}, {"as_of", as_of.empty() ? json(nullptr) : json(as_of)}}};
  finish_job(w, in, s, steps, meta, offset);
  // Profiles, the project, run_metadata and the commit: after run_metadata was written, so this
  // figure reaches the summary and --json only.
  s.timings.push_back({"profiles and commit", timer.lap()});
  s.out = c.out;

  if (c.quicklook) {
    QuickLookInput q;
    q.title = c.title;
    q.subtitle = (dates.first.empty() ? std::string("no dates") : dates.first + " – " + dates.last) + " · " +
                 grouped(static_cast<std::int64_t>(in.incidents.size())) + " incidents";
    q.crs_label = in.work_crs.authority.empty() ? in.work_crs.name : in.work_crs.authority;
    if (plan.kde) {
      q.density = &kde_art.raster;
      q.density_unit = kde_art.unit;
      q.hotspot_zones = kde_art.zones;
    }
    q.communes = in.communes.geom;
    q.commune_names = in.communes.name;
    q.zones = in.zones.geom;
    q.zone_names = in.zones.name;
    q.width_px = c.quicklook_width;
    result.quicklook = fs::path(c.out).replace_extension(".png").string();
    write_quicklook_png(result.quicklook, q);
    s.timings.push_back({"quick-look map", timer.lap()});
  }
  if (opt.progress) opt.progress(steps_total + 1, steps_total, "done");
  result.summary_json = summary_document(c, s, steps, inputs, result.quicklook, clock.lap()).dump(2);
  result.run = std::move(s);
  return result;
}

}  // namespace hotspot
