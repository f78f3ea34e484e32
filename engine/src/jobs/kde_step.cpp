// The kde step: its parameter table, then filter -> bandwidth -> grid/mask -> density -> zones
// through the typed API of hotspot/density.hpp, and the layers it writes; the command writes
// the same step to a GeoPackage, or the surface alone to a GeoTIFF.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "hotspot/density.hpp"
#include "hotspot/distribute.hpp"
#include "hotspot/error.hpp"
#include "hotspot/jobs/kde.hpp"
#include "io/polygons.hpp"
#include "io/raster.hpp"
#include "io/styles.hpp"
#include "jobs/budget.hpp"
#include "jobs/load.hpp"
#include "jobs/outputs.hpp"
#include "jobs/params_util.hpp"
#include "jobs/steps.hpp"
#include "util/parallel.hpp"
#include "util/text.hpp"
#include "util/timer.hpp"

namespace hotspot {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// "xmin,ymin,xmax,ymax" in the working CRS.
Box parse_extent(const std::string& text) {
  double v[4];
  char tail = 0;
  if (std::sscanf(text.c_str(), "%lf,%lf,%lf,%lf%c", &v[0], &v[1], &v[2], &v[3], &tail) != 4)
    throw ParameterError("extent",
                         "'" + text + "': expected xmin,ymin,xmax,ymax in the working CRS");
  if (!(v[0] < v[2] && v[1] < v[3]))
    throw ParameterError("extent", "'" + text + "': xmin must be < xmax and ymin < ymax");
  return {v[0], v[1], v[2], v[3]};
}

// One zone rule at most: the second one given is refused.
void set_zone_rule(KdeStepOptions& o, ZoneRule::Kind kind, const char* name, const json& v) {
  if (o.zones.kind != ZoneRule::Kind::kNone && o.zones.kind != kind)
    throw ParameterError(name, "give at most one of top_percent, threshold, percentile");
  if (!v.is_number()) throw UsageError("expected a number, got " + param_text(v));
  o.zones = zone_rule(kind, v.get<double>());
}

// The surface and its zones, before anything is written.
struct Surface {
  DensityRaster raster;
  Kernel kernel = Kernel::kQuartic;
  double bandwidth_m = 0;
  const char* length = "m";  // the unit of lengths: "m", or "data units" on planar data
  std::string unit;          // "incidents per km²"
  std::string renderer;   // the density's QGIS pseudocolour renderer
  double threshold = -1;  // -1: no zone rule
  std::vector<HotspotZone> zones;
  std::vector<std::int32_t> zone_of;  // per loaded incident: its zone, or -1
};

// filter -> bandwidth -> grid/mask -> density -> zones. Fills r's details, parameters, counts and
// timings. `distributed` (null or empty: here) computes the density raster elsewhere.
Surface estimate_surface(const LoadedInputs& in, const KdeStepOptions& o, int threads,
                         StepResult& r, const KdeFn* distributed = nullptr) {
  Timer timer;
  Surface out;
  out.kernel = o.kernel;
  out.length = length_unit(in.work_crs.planar());
  refuse_degree_like(o.cell_m, "cell_size", in.work_crs);
  kde_preflight(in, o);

  const Incidents& inc = in.incidents;
  // The shared window (hotspot/window.hpp): an hour window cannot place a date-only incident, so
  // it is left out (and counted) as one without a time.
  const WindowSelection sel = select_window(
      inc, o.window, select_categories(inc.categories, o.categories), o.utc_offset_minutes);
  const std::int64_t date_only = sel.date_only;
  KdePoints f;
  f.by_category = sel.by_category, f.by_date = sel.by_date, f.by_hour = sel.by_hour;
  f.by_weekday = sel.by_weekday;
  f.no_time = sel.no_time;
  f.index = sel.index;
  f.x.reserve(sel.index.size()), f.y.reserve(sel.index.size());
  if (!inc.weight.empty()) f.w.reserve(sel.index.size());
  for (std::size_t i : sel.index) {
    f.x.push_back(inc.x[i]), f.y.push_back(inc.y[i]);
    if (!inc.weight.empty()) f.w.push_back(inc.weight[i]);
  }
  const auto in_window = static_cast<std::int64_t>(f.x.size());
  PolygonLayer mask_file;  // reading the mask is I/O: it stays here, out of density/
  if (o.mask.kind == KdeMask::Kind::kFile) {
    PolygonOptions po;
    po.path = o.mask.path;
    po.crs = o.mask.crs;
    mask_file = read_polygons(po, "mask", "--mask-crs");
    if (mask_file.size() == 0)
      throw InputError("mask '" + o.mask.path + "' holds no usable polygons");
    project_polygons(mask_file, in.work_crs, "mask polygon");
  }
  if (o.mask.kind == KdeMask::Kind::kCommunes && in.communes.size() == 0)
    throw UsageError("kde: the communes are the mask, but no communes are loaded");
  const bool masked = o.mask.kind != KdeMask::Kind::kNone;
  const std::vector<MultiPolygon>& mask_geom =
      o.mask.kind == KdeMask::Kind::kCommunes ? in.communes.geom : mask_file.geom;
  Box mask_box;
  for (const auto& g : mask_geom) mask_box.expand(bounds(g));
  const std::size_t before_mask = f.x.size();
  if (masked) drop_outside(f, mask_geom, threads);
  if (f.x.empty() && before_mask > 0)
    throw InputError("kde: none of the " + std::to_string(before_mask) + " incidents" +
                     (before_mask == in.incidents.size() ? "" : " left after the filters") +
                     " lies inside the mask (" +
                     (o.mask.kind == KdeMask::Kind::kCommunes ? "the communes" : "the mask file") +
                     "); nothing to estimate. Are the incidents and the mask of the same area?");
  if (f.x.empty())
    throw InputError("kde: no incident is left after the filters; nothing to estimate");
  r.timings.push_back({"filter", timer.lap()});

  Box data_box;
  for (std::size_t i = 0; i < f.x.size(); ++i) data_box.expand(XY{f.x[i], f.y[i]});
  const Box& around = masked ? mask_box : data_box;
  const BandwidthChoice bw =
      choose_bandwidth(o.bandwidth, o.kernel, f.x, f.y, f.w, around, threads, out.length);
  if (o.bandwidth.rule == BandwidthRule::kGiven)
    refuse_degree_like(bw.bandwidth_m, "bandwidth", in.work_crs);
  const double h = bw.bandwidth_m;
  out.bandwidth_m = h;
  r.timings.push_back({"bandwidth", timer.lap()});

  const Grid grid = choose_grid(o.extent, around, h, o.cell_m, out.length);
  require_kde_grid(grid.cols, grid.rows, grid.cell, masked, f.x.size(),
                   h * kernel_support(o.kernel), in.work_crs.planar(), in.max_memory);
  std::vector<std::uint8_t> mask;
  if (masked) mask = rasterize_mask(mask_geom, grid, threads);
  r.timings.push_back({"grid", timer.lap()});

  KdeOptions ko;
  ko.kernel = o.kernel;
  ko.bandwidth_m = h;
  ko.area_scale = area_scale(o.area_unit);
  ko.edge_correction = o.edge_correction;
  ko.threads = threads;
  out.raster = distributed && *distributed ? (*distributed)(f.x, f.y, f.w, grid, mask, ko)
                                           : kde(f.x, f.y, f.w, grid, mask, ko);
  const DensityRaster& ras = out.raster;
  mask = {};
  r.timings.push_back({"density", timer.lap()});

  double peak = 0;
  std::int64_t valid = 0;
  for (float v : ras.values)
    if (v != ras.nodata) ++valid, peak = std::max(peak, static_cast<double>(v));
  const ZoneThreshold zt = zone_threshold(o.zones, ras, f.x, f.y);
  out.threshold = zt.value;
  // The threshold is a class break: the hotspots stand out from the rest of the surface.
  out.renderer = density_renderer_xml(density_classes(ras.values, ras.nodata, out.threshold));
  if (o.zones.kind != ZoneRule::Kind::kNone) {
    std::vector<std::int32_t> zone_of_kept;
    out.zones =
        hotspot_zones(ras, out.threshold, f.x, f.y, in.communes.geom, in.zones.geom, &zone_of_kept);
    out.zone_of.assign(in.incidents.size(), -1);
    for (std::size_t k = 0; k < f.index.size(); ++k) out.zone_of[f.index[k]] = zone_of_kept[k];
  }
  r.timings.push_back({"zones", timer.lap()});

  out.unit = std::string("incidents per ") + area_unit_label(o.area_unit, in.work_crs.planar());
  const std::string length = std::string(" ") + out.length;
  r.details.push_back("kde        " + std::string(kernel_name(o.kernel)) + " kernel, bandwidth " +
                      fmt("%.2f", h) + length + " [" + bw.detail + "], support radius " +
                      fmt("%.2f", h * kernel_support(o.kernel)) + length);
  r.details.push_back("grid       " + std::to_string(grid.cols) + " × " +
                      std::to_string(grid.rows) + " cells of " + fmt("%g", grid.cell) + length +
                      ", top-left (" + fmt("%.2f", grid.xmin) + ", " + fmt("%.2f", grid.ymax) +
                      ")" + (masked ? ", masked" : "") +
                      (o.edge_correction ? ", edge-corrected" : ""));
  r.details.push_back("density    " + std::to_string(f.x.size()) + " incidents used, peak " +
                      fmt("%.6g", peak) + " " + out.unit);
  // Each filter under the name it is given by (a weekday filter's rows are not "dates"): those
  // set, with what they left out, then the incidents without a time and outside the mask.
  std::string filtered;
  auto add = [&](const char* name, bool set, std::int64_t n) {
    if (set || n > 0)
      filtered += (filtered.empty() ? "" : ", ") + std::string(name) + " " + std::to_string(n);
  };
  add("categories", !o.categories.empty(), f.by_category);
  add("dates", !o.window.from.empty() || !o.window.to.empty(), f.by_date);
  add("days", o.window.weekdays != 0x7F, f.by_weekday);
  add("hours", o.window.by_hours, f.by_hour);
  add("no time", false, f.no_time);
  add("outside mask", false, f.outside_mask);
  if (!filtered.empty()) r.details.push_back("filtered   " + filtered);
  if (date_only > 0)
    r.details.push_back("note: " + std::to_string(date_only) +
                        " date-only incidents left out of hour-of-day work (counted as no time)");
  if (out.threshold >= 0)
    r.details.push_back("zones      " + std::to_string(out.zones.size()) +
                        " hotspot zones at density ≥ " + fmt("%.6g", out.threshold) + " " +
                        out.unit + " (" + zt.rule + ")");
  if (o.zones.kind == ZoneRule::Kind::kNone) {
    const std::string none =
        "no hotspot zones are made: give top_percent, threshold or percentile to outline them";
    r.details.push_back("zones      " + none);
    r.warnings.push_back(none);
  }

  r.parameters = {
      {"kernel", kernel_name(o.kernel)},
      {"bandwidth_m", h},
      {"bandwidth_rule", o.bandwidth.text},
      {"bandwidth_detail", bw.detail},
      {"support_radius_m", h * kernel_support(o.kernel)},
      {"cell_m", grid.cell},
      {"grid",
       {{"xmin", grid.xmin}, {"ymax", grid.ymax}, {"cols", grid.cols}, {"rows", grid.rows}}},
      {"area_unit", area_unit_name(o.area_unit)},
      {"mask", o.mask.path},
      {"mask_communes", o.mask.kind == KdeMask::Kind::kCommunes},
      {"edge_correction", o.edge_correction},
      {"categories", o.categories},
      {"from", o.window.from},
      {"to", o.window.to},
      {"hours", o.window.hours},
      {"days", o.window.days},
      {"utc_offset_minutes", o.utc_offset_minutes},
      {"threshold", out.threshold >= 0 ? json(out.threshold) : json(nullptr)},
      {"threshold_rule", zt.rule},
      {"nodata", ras.nodata}};
  if (bw.cv) {
    json cv = {{"sigma_m", bw.cv->sigma_m},
               {"grid_sigma_m", bw.cv->grid_sigma_m},
               {"sigmas_m", bw.cv->sigmas},
               {"scores", json::array()}};
    for (double v : bw.cv->scores)
      cv["scores"].push_back(std::isfinite(v) ? json(v) : json(nullptr));
    r.parameters["cv"] = cv;
  }
  r.counts = {{"used", static_cast<std::int64_t>(f.x.size())},
              {"in_window", in_window},
              {"filtered_category", f.by_category},
              {"filtered_dates", f.by_date},
              {"filtered_hours", f.by_hour},
              {"filtered_days", f.by_weekday},
              {"filtered_no_time", f.no_time},
              {"outside_mask", f.outside_mask},
              {"valid_cells", valid},
              {"hotspot_zones", static_cast<std::int64_t>(out.zones.size())}};
  return out;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  if (s.size() < suffix.size()) return false;
  return std::equal(suffix.rbegin(), suffix.rend(), s.rbegin(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == b;
  });
}

}  // namespace

const ParamTable<KdeStepOptions>& kde_params() {
  using K = KdeStepOptions;
  using P = Param<KdeStepOptions>;
  static const ParamTable<KdeStepOptions> table{
      "kde",
      joined(joined(std::vector<P>{
      {"name", ParamType::kText,
       "Names the analysis and its layers (density_NAME, hotspot_zones_NAME); for a run with "
       "several kde analyses",
       "", false, [](K& o, const json& v) { o.name = analysis_name(v); }, "",
       ParamScope::kConfigOnly},
      {"cell_size", ParamType::kNumber, "Cell size, metres", "", true,
        [](K& o, const json& v) { o.cell_m = length_value(v, /*positive=*/true); }},
       {"bandwidth", ParamType::kNumberOrText,
        "Bandwidth in metres (500, 500m, 0.5km), or auto | scott | cv", "auto", false,
        [](K& o, const json& v) {
          o.bandwidth =
              v.is_number() ? bandwidth_metres(v.get<double>()) : parse_bandwidth(param_text(v));
        }},
       {"kernel", ParamType::kText,
        "quartic | epanechnikov | triweight | triangular | uniform | gaussian", "quartic", false,
        [](K& o, const json& v) { o.kernel = parse_kernel(param_text(v)); }},
       {"extent", ParamType::kText,
        "xmin,ymin,xmax,ymax in the working CRS (default: data or mask, grown by one bandwidth)",
        "", false, [](K& o, const json& v) { o.extent = parse_extent(param_text(v)); }, "",
        ParamScope::kCliOnly},
       {"mask", ParamType::kText,
        "Study-area polygons: cells outside are nodata, incidents outside are dropped (or: "
        "communes, none)",
        "", false,
        [](K& o, const json& v) {
          const std::string s = param_text(v);
          if (s.empty()) throw UsageError("expected communes, none or a polygon file");
          o.mask.kind = s == "communes" ? KdeMask::Kind::kCommunes
                        : s == "none"   ? KdeMask::Kind::kNone
                                        : KdeMask::Kind::kFile;
          o.mask.path = o.mask.kind == KdeMask::Kind::kFile ? s : "";
        }},
       {"mask_crs", ParamType::kText, "Override the mask's CRS (any PROJ string, or planar)", "",
        false, [](K& o, const json& v) { o.mask.crs = param_text(v); }, "", ParamScope::kCliOnly},
       {"edge_correction", ParamType::kBoolean,
        "Divide by the share of each kernel inside the mask (spatstat's uniform correction)", "",
        false, [](K& o, const json& v) { o.edge_correction = v.get<bool>(); }},
       {"area_unit", ParamType::kText, "Density per km2 | ha | m2", "km2", false,
        [](K& o, const json& v) { o.area_unit = parse_area_unit(param_text(v)); }}},
       window_params<K>(&K::window, &K::categories)), std::vector<P>{
       {"top_percent", ParamType::kNumber,
        "Hotspot zones: the smallest area holding P % of incidents", "", false,
        [](K& o, const json& v) {
          set_zone_rule(o, ZoneRule::Kind::kTopPercent, "top_percent", v);
        }},
       {"threshold", ParamType::kNumber, "Hotspot zones: cells with density >= V", "", false,
        [](K& o, const json& v) { set_zone_rule(o, ZoneRule::Kind::kThreshold, "threshold", v); }},
       {"percentile", ParamType::kNumber,
        "Hotspot zones: cells at or above this percentile of positive cells", "", false,
        [](K& o, const json& v) {
          set_zone_rule(o, ZoneRule::Kind::kPercentile, "percentile", v);
        }}}),
      [](const K& o) {
        if (o.edge_correction && o.mask.kind == KdeMask::Kind::kNone)
          throw ParameterError("edge_correction", "needs a mask (the study area)");
        check_window(o.window);
      }};
  return table;
}

namespace {

// The hotspot zones' layer name in the QGIS project: the rule that made them. `unit` is the
// density's ("incidents per km²").
std::string zones_title(const ZoneRule& z, const std::string& unit) {
  switch (z.kind) {
    case ZoneRule::Kind::kTopPercent: return "Hotspot zones (KDE top " + fmt("%g", z.value) + " %)";
    case ZoneRule::Kind::kThreshold:
      return "Hotspot zones (KDE density ≥ " + fmt("%g", z.value) + " " + unit + ")";
    case ZoneRule::Kind::kPercentile:
      return "Hotspot zones (KDE ≥ " + fmt("%g", z.value) + "th percentile)";
    case ZoneRule::Kind::kNone: break;
  }
  return "Hotspot zones";
}

// " — night" after a named analysis' layer titles (with its window), "" for an unnamed one.
std::string title_suffix(const std::string& name) { return name.empty() ? "" : " — " + name; }

}  // namespace

StepResult kde_step(const StepContext& ctx, const KdeStepOptions& o, KdeArtifacts* artifacts) {
  const LoadedInputs& in = ctx.in;
  StepResult r;
  // A named analysis (one of several, one per shift) carries its name on every layer.
  const std::string suffix = o.name.empty() ? "" : "_" + o.name;
  const std::string density = "density" + suffix, zones_layer = "hotspot_zones" + suffix;
  r.name = "kde" + suffix;
  Surface sf = estimate_surface(in, o, ctx.threads, r,
                                ctx.distribution ? &ctx.distribution->kde : nullptr);
  // What hotspot top --window NAME reads back from run_metadata.
  if (!o.name.empty()) r.parameters["name"] = o.name;
  if (!o.name.empty() && sf.threshold >= 0) r.parameters["hotspot_layer"] = zones_layer;
  Timer timer;
  const Grid& grid = sf.raster.grid;
  ctx.w.add_float_coverage(
      density, in.work_crs, {grid.xmin, grid.ymax, grid.cell, grid.cols, grid.rows},
      sf.raster.values, sf.raster.nodata,
      "Kernel density of incidents (" + sf.unit + "), " + kernel_name(sf.kernel) +
          " kernel, bandwidth " + fmt("%.1f", sf.bandwidth_m) + " " + sf.length,
      ctx.threads);
  r.layers.push_back({density, static_cast<std::int64_t>(grid.size())});

  std::vector<MultiPolygon> outlines;
  std::vector<std::string> zone_ids;
  if (sf.threshold >= 0) {
    for (const auto& z : sf.zones) outlines.push_back(z.geom);
    const std::vector<HotspotIdentity> ids = identify(ctx, zones_layer, outlines);
    for (const auto& id : ids) zone_ids.push_back(id.hotspot_id);
    std::vector<FieldDef> fields = {
        {"zone_rank", FieldType::kInteger}, {"incidents", FieldType::kInteger},
        {"area_km2", FieldType::kReal},     {"cells", FieldType::kInteger},
        {"peak_density", FieldType::kReal}, {"mean_density", FieldType::kReal},
        {"pai", FieldType::kReal},          {"threshold", FieldType::kReal},
        {"communes", FieldType::kText},     {"industrial_zones", FieldType::kText}};
    const int first_identity = static_cast<int>(fields.size());
    for (auto& fd : identity_fields()) fields.push_back(std::move(fd));
    LayerWriter& L = ctx.w.begin_layer(
        zones_layer, GeometryType::kMultiPolygon, in.work_crs, fields,
        "Hotspot zones: connected areas where the density is at least the threshold" +
            (o.name.empty() ? std::string() : " (analysis " + o.name + ")"));
    std::vector<double> pai;
    Box zb;
    for (std::size_t k = 0; k < sf.zones.size(); ++k) {
      const auto& z = sf.zones[k];
      std::string communes, izones;
      for (auto c : z.communes)
        communes += (communes.empty() ? "" : ", ") + in.communes.name[static_cast<std::size_t>(c)];
      for (auto c : z.zones)
        izones += (izones.empty() ? "" : ", ") + in.zones.name[static_cast<std::size_t>(c)];
      L.set_geometry(z.geom);
      L.set(0, static_cast<std::int64_t>(k + 1));
      L.set(1, z.incidents);
      L.set(2, z.area_m2 / 1e6);
      L.set(3, z.cells);
      L.set(4, z.peak);
      L.set(5, z.mean);
      L.set(6, z.pai);
      L.set(7, sf.threshold);
      L.set(8, std::string_view(communes));
      L.set(9, std::string_view(izones));
      set_identity(L, first_identity, ids[k]);
      L.insert();
      pai.push_back(z.pai);
      zb.expand(bounds(z.geom));
    }
    // Labelled with the stable ids `hotspot top` prints; no near-white class, which over the
    // density would read as a hole.
    const std::string qml =
        graduated_fill_qml("pai", quantile_breaks(pai, 4), "hotspot_id", "PAI", /*strong=*/true);
    ctx.w.add_style(zones_layer, "PAI", qml);
    r.project.push_back({zones_layer, zones_title(o.zones, sf.unit) + title_suffix(o.name),
                         ctx.vector_source(zones_layer), false, qml, zb, "Hotspots", true});
    std::vector<std::string> ranks;  // feature_id = zone_rank
    for (std::size_t k = 0; k < sf.zones.size(); ++k) ranks.push_back(std::to_string(k + 1));
    r.profiles.push_back({zones_layer, std::move(ranks), std::move(sf.zone_of)});
    r.layers.push_back({zones_layer, static_cast<std::int64_t>(sf.zones.size())});
  }
  // Last in the project, so the surface is drawn under the zones.
  r.project.push_back({density, "Density (" + sf.unit + ")" + title_suffix(o.name),
                       ctx.raster_source(density), true, sf.renderer, grid.box(), "Hotspots", true,
                       0.6});
  r.timings.push_back({"write", timer.lap()});
  if (artifacts)
    *artifacts = {std::move(sf.raster),
                  std::move(outlines),
                  std::move(zone_ids),
                  r.counts.value("used", std::int64_t{0}),
                  sf.unit,
                  sf.bandwidth_m,
                  sf.threshold};
  return r;
}

RunSummary run_kde(const KdeRunOptions& opt) {
  const bool tif = ends_with(opt.out, ".tif") || ends_with(opt.out, ".tiff");
  if (!opt.out.empty() && !tif && !ends_with(opt.out, ".gpkg"))
    throw UsageError("--out '" + opt.out + "': expected a .gpkg or .tif path");
  KdeStepOptions o = opt.kde;
  o.utc_offset_minutes = opt.inputs.incidents.utc_offset_minutes;
  std::vector<std::pair<std::string, std::string>> extra;
  if (o.mask.kind == KdeMask::Kind::kFile) extra.push_back({"mask", o.mask.path});
  if (!tif) {
    StepResult r;
    RunSummary s =
        run_single_step({"kde", opt.command_line, opt.inputs, opt.out, extra, "hotspot kde",
                         [&](const StepContext& ctx) { return kde_step(ctx, o); }},
                        &r);
    s.details = r.details;
    return s;
  }

  // The surface alone, with its style beside it.
  if (o.zones.kind != ZoneRule::Kind::kNone)
    throw UsageError("hotspot zones are a vector layer: write them with --out OUT.gpkg");
  std::vector<std::string> input_files = input_paths(opt.inputs);
  for (const auto& [key, path] : extra) input_files.push_back(path);
  refuse_overwriting_inputs(opt.out, input_files);
  refuse_overwriting_inputs(fs::path(opt.out).replace_extension(".qml").string(), input_files,
                            "the style beside --out");
  LoadedInputs in = load_inputs(opt.inputs);
  RunSummary s = summarise(in);
  const int threads = resolve_threads(opt.inputs.threads);
  s.out = opt.out;
  StepResult r;
  Surface sf = estimate_surface(in, o, threads, r);
  json params = {{"command", "kde"}, {"command_line", opt.command_line}, {"work_crs", s.work_crs}};
  params.update(r.parameters);
  Timer timer;
  const Grid& grid = sf.raster.grid;
  write_geotiff(opt.out, sf.raster.values, {grid.xmin, grid.ymax, grid.cell, grid.cols, grid.rows},
                in.work_crs, sf.raster.nodata, threads,
                {{"HOTSPOT_PARAMETERS", params.dump()},
                 {"HOTSPOT_VERSIONS", versions().dump()},
                 {"HOTSPOT_BANDWIDTH_M", fmt("%.17g", sf.bandwidth_m)},
                 {"HOTSPOT_UNIT", sf.unit}});
  // QGIS reads OUT.qml beside OUT.tif as the layer's default style: without it the surface opens
  // grey, so a failed write fails the command.
  const fs::path qml = fs::path(opt.out).replace_extension(".qml");
  {
    const std::string text = raster_qml(sf.renderer);
    std::ofstream f(qml, std::ios::binary);
    f.write(text.data(), static_cast<std::streamsize>(text.size()));
    f.close();
    if (!f) {
      std::error_code ec;
      fs::remove(opt.out, ec);  // no surface that opens unstyled
      throw IoError("cannot write the style " + qml.string() + " beside " + opt.out);
    }
  }
  r.timings.push_back({"write", timer.lap()});
  s.timings.insert(s.timings.end(), r.timings.begin(), r.timings.end());
  s.details = r.details;
  s.layers = {{"density", static_cast<std::int64_t>(grid.size())}};
  return s;
}

}  // namespace hotspot
