// The kde step and job: filter -> bandwidth -> grid/mask -> density -> zones -> write.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "hotspot/density.hpp"
#include "hotspot/error.hpp"
#include "io/gpkg_writer.hpp"
#include "index/polygon_index.hpp"
#include "io/polygons.hpp"
#include "io/raster.hpp"
#include "io/styles.hpp"
#include "jobs/load.hpp"
#include "jobs/outputs.hpp"
#include "jobs/steps.hpp"
#include "util/parallel.hpp"
#include "util/time.hpp"
#include "util/timer.hpp"

namespace hotspot {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  if (s.size() < suffix.size()) return false;
  return std::equal(suffix.rbegin(), suffix.rend(), s.rbegin(),
                    [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
}

// A length in metres: "500", "500m", "0.5km". Degrees are refused: every distance here is in the
// working CRS, which is in metres (or data units for planar input).
double parse_length(const std::string& text, const std::string& option) {
  std::string t = text;
  for (const char* deg : {"degrees", "degree", "deg", "°", "dd"})
    if (ends_with(t, deg))
      throw UsageError(option + " '" + text + "': degrees are refused; give metres (e.g. 500 or 500m): " +
                       "distances are measured in the projected working CRS");
  double scale = 1;
  if (ends_with(t, "km")) scale = 1000, t.resize(t.size() - 2);
  else if (ends_with(t, "m")) t.resize(t.size() - 1);
  char* end = nullptr;
  double v = std::strtod(t.c_str(), &end);
  if (t.empty() || end != t.c_str() + t.size() || !std::isfinite(v) || !(v > 0))
    throw UsageError(option + " '" + text + "': expected a positive length in metres (e.g. 500, 500m, 0.5km)");
  return v * scale;
}

// A value that is a plausible angle but an absurd length in a metre CRS (0.005 for "about 500 m
// in degrees") is refused rather than silently producing a blank surface.
void refuse_degree_like(double metres, const std::string& option, const std::string& text, const Crs& work) {
  if (work.geographic())
    throw CrsError("kde: the working CRS " + work.label() + " is in degrees; choose a projected --work-crs");
  if (work.metres && metres < 0.01)
    throw UsageError(option + " '" + text + "' is " + std::to_string(metres) + " m, which looks like degrees; " +
                     "lengths are in metres of the working CRS " + work.label());
}

Box parse_extent(const std::string& text) {
  double v[4];
  char tail = 0;
  if (std::sscanf(text.c_str(), "%lf,%lf,%lf,%lf%c", &v[0], &v[1], &v[2], &v[3], &tail) != 4)
    throw UsageError("--extent '" + text + "': expected xmin,ymin,xmax,ymax in the working CRS");
  if (!(v[0] < v[2] && v[1] < v[3]))
    throw UsageError("--extent '" + text + "': xmin must be < xmax and ymin < ymax");
  return {v[0], v[1], v[2], v[3]};
}

double area_scale(const std::string& unit) {
  if (unit == "km2") return 1e6;
  if (unit == "ha") return 1e4;
  if (unit == "m2") return 1;
  throw UsageError("--area-unit '" + unit + "': expected km2, ha or m2");
}

bool is_bandwidth_rule(const std::string& bandwidth) {
  return bandwidth == "auto" || bandwidth == "scott" || bandwidth == "cv";
}

// The date and hour filters, parsed: [t0, t1) in UTC seconds and [h0, h1) in minutes after local
// midnight (wrapping over midnight when h1 < h0).
struct TimeWindow {
  bool any = false;  // some time filter is given: incidents without a time are left out
  std::int64_t t0 = std::numeric_limits<std::int64_t>::min(), t1 = std::numeric_limits<std::int64_t>::max();
  bool by_hour = false;
  int h0 = 0, h1 = 0;
};

TimeWindow parse_time_window(const KdeRunOptions& o) {
  const int off = o.inputs.incidents.utc_offset_minutes;
  TimeWindow tw;
  tw.any = !o.from.empty() || !o.to.empty() || !o.hours.empty();
  if (!o.from.empty()) tw.t0 = local_midnight(o.from, off, "--from");
  if (!o.to.empty()) tw.t1 = local_midnight(o.to, off, "--to") + 86400;
  if (tw.t1 <= tw.t0) throw UsageError("--from '" + o.from + "' is after --to '" + o.to + "'");
  if (!o.hours.empty()) {
    auto dash = o.hours.find('-');
    if (dash == std::string::npos) throw UsageError("--hours '" + o.hours + "': expected HH:MM-HH:MM, e.g. 22:00-06:00");
    tw.h0 = parse_hhmm(o.hours.substr(0, dash), "--hours");
    tw.h1 = parse_hhmm(o.hours.substr(dash + 1), "--hours");
    if (tw.h0 == tw.h1) throw UsageError("--hours '" + o.hours + "' is empty; leave it out for the whole day");
    tw.by_hour = true;
  }
  return tw;
}

// The incidents the surface is estimated from.
struct Filtered {
  std::vector<double> x, y, w;
  std::vector<std::size_t> index;  // of each kept incident among the loaded ones
  std::int64_t by_category = 0, by_date = 0, by_hour = 0, no_time = 0, outside_mask = 0;
};

Filtered filter_incidents(const Incidents& inc, const KdeRunOptions& o) {
  Filtered f;
  std::vector<char> cat_ok;
  if (!o.categories.empty()) {
    cat_ok.assign(inc.categories.size(), 0);
    for (const auto& want : o.categories) {
      bool found = false;
      for (std::size_t k = 0; k < inc.categories.size(); ++k)
        if (inc.categories[static_cast<std::uint32_t>(k)] == want) cat_ok[k] = 1, found = true;
      if (!found) {
        std::string known;
        for (const auto& l : inc.categories.labels()) known += (known.empty() ? "" : ", ") + l;
        throw UsageError("--category '" + want + "' matches no incident; categories present: " + known);
      }
    }
  }
  const int off = o.inputs.incidents.utc_offset_minutes;
  const TimeWindow tw = parse_time_window(o);
  for (std::size_t i = 0; i < inc.size(); ++i) {
    if (!cat_ok.empty() && (inc.category[i] == Dictionary::kNone || !cat_ok[inc.category[i]])) {
      ++f.by_category;
      continue;
    }
    if (tw.any) {
      const std::int64_t t = inc.time_utc[i];
      if (t == kNoTime) {
        ++f.no_time;
        continue;
      }
      if (t < tw.t0 || t >= tw.t1) {
        ++f.by_date;
        continue;
      }
      if (tw.by_hour) {
        const std::int64_t local = t + static_cast<std::int64_t>(off) * 60;
        const int minute = static_cast<int>(((local % 86400) + 86400) % 86400 / 60);
        const bool in = tw.h0 < tw.h1 ? (minute >= tw.h0 && minute < tw.h1) : (minute >= tw.h0 || minute < tw.h1);
        if (!in) {
          ++f.by_hour;
          continue;
        }
      }
    }
    f.x.push_back(inc.x[i]);
    f.y.push_back(inc.y[i]);
    f.index.push_back(i);
    if (!inc.weight.empty()) f.w.push_back(inc.weight[i]);
  }
  return f;
}

// Incidents outside the study area are not part of the pattern (spatstat's convention).
void drop_outside(Filtered& f, const std::vector<MultiPolygon>& mask) {
  PolygonIndex index(mask);
  std::size_t kept = 0;
  for (std::size_t k = 0; k < f.x.size(); ++k) {
    if (index.locate({f.x[k], f.y[k]}) < 0) {
      ++f.outside_mask;
      continue;
    }
    f.x[kept] = f.x[k];
    f.y[kept] = f.y[k];
    f.index[kept] = f.index[k];
    if (!f.w.empty()) f.w[kept] = f.w[k];
    ++kept;
  }
  f.x.resize(kept);
  f.y.resize(kept);
  f.index.resize(kept);
  if (!f.w.empty()) f.w.resize(kept);
}

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// The surface and its zones, before anything is written.
struct Surface {
  DensityRaster raster;
  Kernel kernel = Kernel::Quartic;
  double bandwidth_m = 0;
  std::string unit;      // "incidents per km²"
  std::string renderer;  // the density's QGIS pseudocolour renderer
  double threshold = -1;  // -1: no zone rule
  std::vector<HotspotZone> zones;
  std::vector<std::int32_t> zone_of;  // per loaded incident: its zone, or -1
};

// filter -> bandwidth -> grid/mask -> density -> zones. Fills r's details, parameters, counts and
// timings.
Surface estimate(const LoadedInputs& in, const KdeRunOptions& o, int threads, StepResult& r) {
  Timer timer;
  Surface out;
  const Kernel kernel = parse_kernel(o.kernel);
  out.kernel = kernel;
  refuse_degree_like(o.cell_m, "--cell-size", fmt("%g", o.cell_m), in.work_crs);

  Filtered f = filter_incidents(in.incidents, o);
  PolygonLayer mask_file;
  if (!o.mask.empty()) {
    PolygonOptions po;
    po.path = o.mask;
    po.crs = o.mask_crs;
    mask_file = read_polygons(po, "mask", "--mask-crs");
    if (mask_file.size() == 0) throw InputError("--mask '" + o.mask + "' holds no usable polygons");
    project_polygons(mask_file, in.work_crs, "mask polygon");
  }
  if (o.mask_communes && in.communes.size() == 0)
    throw UsageError("kde: the communes are the mask, but no communes are loaded");
  const bool masked = o.mask_communes || !o.mask.empty();
  const std::vector<MultiPolygon>& mask_geom = o.mask_communes ? in.communes.geom : mask_file.geom;
  Box mask_box;
  for (const auto& g : mask_geom) mask_box.expand(bounds(g));
  if (masked) drop_outside(f, mask_geom);
  if (f.x.empty()) throw InputError("kde: no incident is left after the filters; nothing to estimate");
  r.timings.push_back({"filter", timer.lap()});

  // Bandwidth. Selectors give a quartic radius (auto) or a Gaussian σ (scott, cv); either is
  // carried to the chosen kernel at equal variance (h_K = σ / sigma_K).
  Box data_box;
  for (std::size_t i = 0; i < f.x.size(); ++i) data_box.expand(XY{f.x[i], f.y[i]});
  double h = 0;
  std::string how;
  json cv_json = nullptr;
  if (o.bandwidth == "auto") {
    const double radius = bandwidth_arcgis(f.x, f.y, f.w);
    h = radius * kernel_sigma(Kernel::Quartic) / kernel_sigma(kernel);
    how = "auto (ArcGIS spatial Silverman: quartic radius " + fmt("%.1f", radius) + " m)";
  } else if (o.bandwidth == "scott") {
    const double sigma = bandwidth_scott(f.x, f.y);
    h = sigma / kernel_sigma(kernel);
    how = "scott (Gaussian σ " + fmt("%.1f", sigma) + " m)";
  } else if (o.bandwidth == "cv") {
    CvResult cv = bandwidth_cv(f.x, f.y, masked ? mask_box : data_box, threads);
    h = cv.sigma_m / kernel_sigma(kernel);
    how = "cv (likelihood cross-validation: Gaussian σ " + fmt("%.1f", cv.sigma_m) + " m)";
    cv_json = {{"sigma_m", cv.sigma_m}, {"grid_sigma_m", cv.grid_sigma_m}, {"sigmas_m", cv.sigmas}, {"scores", json::array()}};
    for (double v : cv.scores) cv_json["scores"].push_back(std::isfinite(v) ? json(v) : json(nullptr));
  } else {
    h = parse_length(o.bandwidth, "--bandwidth");
    refuse_degree_like(h, "--bandwidth", o.bandwidth, in.work_crs);
    how = "given";
  }
  out.bandwidth_m = h;
  r.timings.push_back({"bandwidth", timer.lap()});

  Box extent;
  if (!o.extent.empty()) {
    extent = parse_extent(o.extent);
  } else {
    extent = masked ? mask_box : data_box;
    extent = {extent.xmin - h, extent.ymin - h, extent.xmax + h, extent.ymax + h};
  }
  const Grid grid = grid_for_extent(extent, o.cell_m);
  std::vector<std::uint8_t> mask;
  if (masked) mask = rasterize_mask(mask_geom, grid, threads);
  r.timings.push_back({"grid", timer.lap()});

  KdeOptions ko;
  ko.kernel = kernel;
  ko.bandwidth_m = h;
  ko.area_scale = area_scale(o.area_unit);
  ko.edge_correction = o.edge_correction;
  ko.threads = threads;
  out.raster = kde(f.x, f.y, f.w, grid, mask, ko);
  const DensityRaster& ras = out.raster;
  mask.clear();
  mask.shrink_to_fit();
  r.timings.push_back({"density", timer.lap()});

  double peak = 0;
  std::int64_t valid = 0, n_positive = 0;
  for (float v : ras.values)
    if (v != ras.nodata) {
      ++valid;
      peak = std::max(peak, static_cast<double>(v));
      n_positive += v > 0;
    }
  // Colour stops from an even sample of at most ~100,000 positive cells: quantiles need no more,
  // and memory stays at the raster.
  std::vector<double> sample;
  {
    const std::int64_t step = std::max<std::int64_t>(1, n_positive / 100000);
    std::int64_t k = 0;
    for (float v : ras.values)
      if (v != ras.nodata && v > 0 && k++ % step == 0) sample.push_back(v);
  }
  out.renderer = density_renderer_xml(quantile_breaks(sample, 5));
  sample = {};

  std::string threshold_rule;
  if (o.top_percent >= 0) {
    out.threshold = threshold_top_percent(ras, f.x, f.y, o.top_percent);
    threshold_rule = "top " + fmt("%g", o.top_percent) + " % of incidents";
  } else if (o.percentile >= 0) {
    out.threshold = threshold_percentile(ras, o.percentile);
    threshold_rule = fmt("%g", o.percentile) + "th percentile of positive cells";
  } else if (o.threshold >= 0) {
    out.threshold = o.threshold;
    threshold_rule = "given";
  }
  if (out.threshold >= 0) {
    std::vector<std::int32_t> zone_of_kept;
    out.zones = hotspot_zones(ras, out.threshold, f.x, f.y, in.communes.geom, in.zones.geom, &zone_of_kept);
    out.zone_of.assign(in.incidents.size(), -1);
    for (std::size_t k = 0; k < f.index.size(); ++k) out.zone_of[f.index[k]] = zone_of_kept[k];
  }
  r.timings.push_back({"zones", timer.lap()});

  out.unit = "incidents per " + std::string(o.area_unit == "km2" ? "km²" : o.area_unit == "ha" ? "ha" : "m²");
  r.details.push_back("kde        " + std::string(kernel_name(kernel)) + " kernel, bandwidth " + fmt("%.2f", h) +
                      " m [" + how + "], support radius " + fmt("%.2f", h * kernel_support(kernel)) + " m");
  r.details.push_back("grid       " + std::to_string(grid.cols) + " × " + std::to_string(grid.rows) + " cells of " +
                      fmt("%g", grid.cell) + " m, top-left (" + fmt("%.2f", grid.xmin) + ", " + fmt("%.2f", grid.ymax) +
                      ")" + (masked ? ", masked" : "") + (o.edge_correction ? ", edge-corrected" : ""));
  r.details.push_back("density    " + std::to_string(f.x.size()) + " incidents used, peak " + fmt("%.6g", peak) + " " +
                      out.unit);
  if (f.by_category + f.by_date + f.by_hour + f.no_time + f.outside_mask)
    r.details.push_back("filtered   category " + std::to_string(f.by_category) + ", dates " + std::to_string(f.by_date) +
                        ", hours " + std::to_string(f.by_hour) + ", no time " + std::to_string(f.no_time) +
                        ", outside mask " + std::to_string(f.outside_mask));
  if (out.threshold >= 0)
    r.details.push_back("zones      " + std::to_string(out.zones.size()) + " hotspot zones at density ≥ " +
                        fmt("%.6g", out.threshold) + " (" + threshold_rule + ")");

  r.parameters = {{"kernel", kernel_name(kernel)},
                  {"bandwidth_m", h},
                  {"bandwidth_rule", o.bandwidth},
                  {"bandwidth_detail", how},
                  {"support_radius_m", h * kernel_support(kernel)},
                  {"cell_m", grid.cell},
                  {"grid", {{"xmin", grid.xmin}, {"ymax", grid.ymax}, {"cols", grid.cols}, {"rows", grid.rows}}},
                  {"area_unit", o.area_unit},
                  {"mask", o.mask},
                  {"mask_communes", o.mask_communes},
                  {"edge_correction", o.edge_correction},
                  {"categories", o.categories},
                  {"from", o.from},
                  {"to", o.to},
                  {"hours", o.hours},
                  {"utc_offset_minutes", o.inputs.incidents.utc_offset_minutes},
                  {"threshold", out.threshold >= 0 ? json(out.threshold) : json(nullptr)},
                  {"threshold_rule", threshold_rule},
                  {"nodata", ras.nodata}};
  if (!cv_json.is_null()) r.parameters["cv"] = cv_json;
  r.counts = {{"used", static_cast<std::int64_t>(f.x.size())},
              {"filtered_category", f.by_category},
              {"filtered_dates", f.by_date},
              {"filtered_hours", f.by_hour},
              {"filtered_no_time", f.no_time},
              {"outside_mask", f.outside_mask},
              {"valid_cells", valid},
              {"hotspot_zones", static_cast<std::int64_t>(out.zones.size())}};
  return out;
}

}  // namespace

void check_kde_options(const KdeRunOptions& o) {
  parse_kernel(o.kernel);
  area_scale(o.area_unit);
  if (!(o.cell_m > 0) || !std::isfinite(o.cell_m)) throw UsageError("--cell-size is required: a positive length in metres");
  const int zone_rules = (o.top_percent >= 0) + (o.threshold >= 0) + (o.percentile >= 0);
  if (zone_rules > 1) throw UsageError("give at most one of --top-percent, --threshold, --percentile");
  if (o.top_percent >= 0 && !(o.top_percent > 0 && o.top_percent <= 100))
    throw UsageError("--top-percent must be in (0, 100], got " + fmt("%g", o.top_percent));
  if (o.percentile >= 0 && !(o.percentile <= 100))
    throw UsageError("--percentile must be in [0, 100], got " + fmt("%g", o.percentile));
  if (o.threshold >= 0 && !std::isfinite(o.threshold))
    throw UsageError("--threshold must be a finite density, got " + fmt("%g", o.threshold));
  if (!o.mask.empty() && o.mask_communes)
    throw UsageError("kde: give one mask: a --mask file or the communes, not both");
  if (o.edge_correction && o.mask.empty() && !o.mask_communes)
    throw UsageError("--edge-correction needs --mask (the study area)");
  if (!is_bandwidth_rule(o.bandwidth)) parse_length(o.bandwidth, "--bandwidth");
  if (!o.extent.empty()) parse_extent(o.extent);
  parse_time_window(o);
}

StepResult kde_step(const StepContext& ctx, const KdeRunOptions& o, KdeArtifacts* artifacts) {
  const LoadedInputs& in = ctx.in;
  StepResult r;
  r.name = "kde";
  Surface sf = estimate(in, o, ctx.threads, r);
  Timer timer;
  const Grid& grid = sf.raster.grid;
  ctx.w.add_float_coverage("density", in.work_crs, {grid.xmin, grid.ymax, grid.cell, grid.cols, grid.rows},
                           sf.raster.values, sf.raster.nodata,
                           "Kernel density of incidents (" + sf.unit + "), " + kernel_name(sf.kernel) +
                               " kernel, bandwidth " + fmt("%.1f", sf.bandwidth_m) + " m",
                           ctx.threads);
  r.layers.push_back({"density", static_cast<std::int64_t>(grid.size())});

  std::vector<MultiPolygon> outlines;
  if (sf.threshold >= 0) {
    for (const auto& z : sf.zones) outlines.push_back(z.geom);
    const std::vector<HotspotIdentity> ids = identify(ctx, "hotspot_zones", outlines);
    std::vector<FieldDef> fields = {
        {"zone_rank", FieldType::Integer}, {"incidents", FieldType::Integer}, {"area_km2", FieldType::Real},
        {"cells", FieldType::Integer},     {"peak_density", FieldType::Real}, {"mean_density", FieldType::Real},
        {"pai", FieldType::Real},          {"threshold", FieldType::Real},    {"communes", FieldType::Text},
        {"industrial_zones", FieldType::Text}};
    const int first_identity = static_cast<int>(fields.size());
    for (auto& fd : identity_fields()) fields.push_back(std::move(fd));
    LayerWriter& L = ctx.w.begin_layer("hotspot_zones", GeometryType::kMultiPolygon, in.work_crs, fields,
                                       "Hotspot zones: connected areas where the density is at least the threshold");
    std::vector<double> pai;
    Box zb;
    for (std::size_t k = 0; k < sf.zones.size(); ++k) {
      const auto& z = sf.zones[k];
      std::string communes, izones;
      for (auto c : z.communes) communes += (communes.empty() ? "" : ", ") + in.communes.name[static_cast<std::size_t>(c)];
      for (auto c : z.zones) izones += (izones.empty() ? "" : ", ") + in.zones.name[static_cast<std::size_t>(c)];
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
    const std::string qml = graduated_fill_qml("pai", quantile_breaks(pai, 4), "");
    ctx.w.add_style("hotspot_zones", "PAI", qml);
    r.project.push_back({"hotspot_zones", "hotspot_zones", ctx.vector_source("hotspot_zones"), false, qml, zb});
    std::vector<std::string> ranks;  // feature_id = zone_rank
    for (std::size_t k = 0; k < sf.zones.size(); ++k) ranks.push_back(std::to_string(k + 1));
    r.profiles.push_back({"hotspot_zones", std::move(ranks), std::move(sf.zone_of)});
    r.layers.push_back({"hotspot_zones", static_cast<std::int64_t>(sf.zones.size())});
  }
  // Last in the project, so the surface is drawn under the zones.
  r.project.push_back({"density", "density", ctx.raster_source("density"), true, sf.renderer, grid.box()});
  r.timings.push_back({"write", timer.lap()});
  if (artifacts) *artifacts = {std::move(sf.raster), std::move(outlines), sf.unit, sf.bandwidth_m};
  return r;
}

RunSummary run_kde(const KdeRunOptions& o) {
  if (o.out.empty()) throw UsageError("--out is required");
  const bool tif = ends_with(o.out, ".tif") || ends_with(o.out, ".tiff");
  if (!tif && !ends_with(o.out, ".gpkg")) throw UsageError("--out '" + o.out + "': expected a .gpkg or .tif path");
  check_kde_options(o);
  if (tif && (o.top_percent >= 0 || o.threshold >= 0 || o.percentile >= 0))
    throw UsageError("hotspot zones are a vector layer: write them with --out OUT.gpkg");
  std::vector<std::string> input_files = input_paths(o.inputs);
  input_files.push_back(o.mask);
  refuse_overwriting_inputs(o.out, input_files);

  LoadedInputs in = load_inputs(o.inputs);
  RunSummary s = summarise(in);
  const int threads = resolve_threads(o.inputs.threads);
  json params = {{"command", "kde"}, {"command_line", o.command_line}, {"work_crs", s.work_crs}};
  s.out = o.out;
  if (tif) {
    StepResult r;
    Surface sf = estimate(in, o, threads, r);
    params.update(r.parameters);
    Timer timer;
    const Grid& grid = sf.raster.grid;
    write_geotiff(o.out, sf.raster.values, {grid.xmin, grid.ymax, grid.cell, grid.cols, grid.rows}, in.work_crs,
                  sf.raster.nodata, threads,
                  {{"HOTSPOT_PARAMETERS", params.dump()},
                   {"HOTSPOT_VERSIONS", versions().dump()},
                   {"HOTSPOT_BANDWIDTH_M", fmt("%.17g", sf.bandwidth_m)},
                   {"HOTSPOT_UNIT", sf.unit}});
    // QGIS reads OUT.qml beside OUT.tif as the layer's default style.
    fs::path qml = fs::path(o.out).replace_extension(".qml");
    if (FILE* fp = std::fopen(qml.c_str(), "wb")) {
      std::string text = raster_qml(sf.renderer);
      std::fwrite(text.data(), 1, text.size(), fp);
      std::fclose(fp);
    }
    r.timings.push_back({"write", timer.lap()});
    s.timings.insert(s.timings.end(), r.timings.begin(), r.timings.end());
    s.details = r.details;
    s.layers = {{"density", static_cast<std::int64_t>(grid.size())}};
    return s;
  }

  GpkgWriter w(o.out);
  const StepContext ctx{in, w, fs::path(o.out).filename().string(), threads, {}};
  StepResult r = kde_step(ctx, o);
  add_step(s, r);
  s.details = r.details;
  s.layers.push_back({"rejected_incidents", static_cast<std::int64_t>(s.ingest.rejected.size())});
  params.update(r.parameters);
  json counts = load_counts(s);
  counts.update(r.counts);
  json inputs = input_hashes(o.inputs);
  inputs["mask"] = input_json(o.mask);
  finish_job(w, in, s, {r}, {params, inputs, counts, nullptr, "hotspot kde", {}}, o.inputs.incidents.utc_offset_minutes);
  return s;
}

}  // namespace hotspot
