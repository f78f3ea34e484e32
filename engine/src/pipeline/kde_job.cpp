// The kde job: load -> filter -> bandwidth -> grid/mask -> density -> zones -> write.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "hotspot/density.hpp"
#include "hotspot/error.hpp"
#include "io/gpkg_writer.hpp"
#include "index/polygon_index.hpp"
#include "io/polygons.hpp"
#include "io/raster.hpp"
#include "io/styles.hpp"
#include "pipeline/load.hpp"
#include "pipeline/outputs.hpp"
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

// Minutes after local midnight from "HH:MM".
int parse_hhmm(const std::string& s, const std::string& option) {
  int h = -1, m = -1;
  char tail = 0;
  if (std::sscanf(s.c_str(), "%d:%d%c", &h, &m, &tail) != 2 || h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m))
    throw UsageError(option + " '" + s + "': expected HH:MM-HH:MM, e.g. 22:00-06:00");
  return h * 60 + m;
}

// Local midnight of a YYYY-MM-DD date, as UTC seconds.
std::int64_t local_midnight(const std::string& date, int offset_min, const std::string& option) {
  unsigned y = 0, mo = 0, d = 0;
  char tail = 0;
  if (std::sscanf(date.c_str(), "%4u-%2u-%2u%c", &y, &mo, &d, &tail) != 3 || mo < 1 || mo > 12 || d < 1 || d > 31)
    throw UsageError(option + " '" + date + "': expected a date YYYY-MM-DD");
  return days_from_civil(y, mo, d) * 86400 - static_cast<std::int64_t>(offset_min) * 60;
}

struct Filtered {
  std::vector<double> x, y, w;
  std::vector<std::int64_t> t;  // for the hotspot zones' temporal profiles
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
  const bool by_time = !o.from.empty() || !o.to.empty() || !o.hours.empty();
  const std::int64_t t0 = o.from.empty() ? std::numeric_limits<std::int64_t>::min() : local_midnight(o.from, off, "--from");
  const std::int64_t t1 = o.to.empty() ? std::numeric_limits<std::int64_t>::max() : local_midnight(o.to, off, "--to") + 86400;
  if (t1 <= t0) throw UsageError("--from '" + o.from + "' is after --to '" + o.to + "'");
  int h0 = 0, h1 = 0;
  if (!o.hours.empty()) {
    auto dash = o.hours.find('-');
    if (dash == std::string::npos) throw UsageError("--hours '" + o.hours + "': expected HH:MM-HH:MM, e.g. 22:00-06:00");
    h0 = parse_hhmm(o.hours.substr(0, dash), "--hours");
    h1 = parse_hhmm(o.hours.substr(dash + 1), "--hours");
    if (h0 == h1) throw UsageError("--hours '" + o.hours + "' is empty; leave it out for the whole day");
  }
  for (std::size_t i = 0; i < inc.size(); ++i) {
    if (!cat_ok.empty() && (inc.category[i] == Dictionary::kNone || !cat_ok[inc.category[i]])) {
      ++f.by_category;
      continue;
    }
    if (by_time) {
      const std::int64_t t = inc.time_utc[i];
      if (t == kNoTime) {
        ++f.no_time;
        continue;
      }
      if (t < t0 || t >= t1) {
        ++f.by_date;
        continue;
      }
      if (!o.hours.empty()) {
        const std::int64_t local = t + static_cast<std::int64_t>(off) * 60;
        const int minute = static_cast<int>(((local % 86400) + 86400) % 86400 / 60);
        // [h0, h1) local time; wraps over midnight when h1 < h0 (22:00-06:00).
        const bool in = h0 < h1 ? (minute >= h0 && minute < h1) : (minute >= h0 || minute < h1);
        if (!in) {
          ++f.by_hour;
          continue;
        }
      }
    }
    f.x.push_back(inc.x[i]);
    f.y.push_back(inc.y[i]);
    f.t.push_back(inc.time_utc[i]);
    if (!inc.weight.empty()) f.w.push_back(inc.weight[i]);
  }
  return f;
}

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

}  // namespace

RunSummary run_kde(const KdeRunOptions& o) {
  if (o.out.empty()) throw UsageError("--out is required");
  const bool tif = ends_with(o.out, ".tif") || ends_with(o.out, ".tiff");
  if (!tif && !ends_with(o.out, ".gpkg")) throw UsageError("--out '" + o.out + "': expected a .gpkg or .tif path");
  const int zone_options = (o.top_percent >= 0) + (o.threshold >= 0) + (o.percentile >= 0);
  if (zone_options > 1) throw UsageError("give at most one of --top-percent, --threshold, --percentile");
  if (zone_options && tif) throw UsageError("hotspot zones are a vector layer: write them with --out OUT.gpkg");
  if (o.edge_correction && o.mask.empty()) throw UsageError("--edge-correction needs --mask (the study area)");
  const Kernel kernel = parse_kernel(o.kernel);
  const double scale = area_scale(o.area_unit);
  if (o.cell_m <= 0) throw UsageError("--cell-size is required: a positive length in metres");
  InputOptions in_opt = o.inputs;
  refuse_overwriting_inputs(o.out, in_opt);
  if (!o.mask.empty()) {
    InputOptions mask_check;
    mask_check.incidents.path = o.mask;
    refuse_overwriting_inputs(o.out, mask_check);
  }

  LoadedInputs in = load_inputs(in_opt);
  RunSummary s = summarise(in);
  Timer timer;
  const int threads = resolve_threads(o.inputs.threads);
  refuse_degree_like(o.cell_m, "--cell-size", fmt("%g", o.cell_m), in.work_crs);

  Filtered f = filter_incidents(in.incidents, o);
  PolygonLayer mask_layer;
  if (!o.mask.empty()) {
    PolygonOptions po;
    po.path = o.mask;
    po.crs = o.mask_crs;
    mask_layer = read_polygons(po, "mask", "--mask-crs");
    if (mask_layer.size() == 0) throw InputError("--mask '" + o.mask + "' holds no usable polygons");
    project_polygons(mask_layer, in.work_crs, "mask polygon");
  }
  Box mask_box;
  for (const auto& g : mask_layer.geom) mask_box.expand(bounds(g));
  if (!o.mask.empty()) {
    // Incidents outside the study area are not part of the pattern (spatstat's convention).
    PolygonIndex index(mask_layer.geom);
    Filtered kept;
    kept.by_category = f.by_category, kept.by_date = f.by_date, kept.by_hour = f.by_hour, kept.no_time = f.no_time;
    for (std::size_t i = 0; i < f.x.size(); ++i) {
      if (index.locate({f.x[i], f.y[i]}) < 0) {
        ++kept.outside_mask;
        continue;
      }
      kept.x.push_back(f.x[i]);
      kept.y.push_back(f.y[i]);
      if (!f.w.empty()) kept.w.push_back(f.w[i]);
    }
    f = std::move(kept);
  }
  if (f.x.empty()) throw InputError("kde: no incident is left after the filters; nothing to estimate");
  s.timings.push_back({"filter", timer.lap()});

  // Bandwidth. Selectors give a quartic radius (auto) or a Gaussian σ (scott, cv); either is
  // carried to the chosen kernel at equal variance (h_K = σ / sigma_K).
  Box data_box;
  for (std::size_t i = 0; i < f.x.size(); ++i) data_box.expand(XY{f.x[i], f.y[i]});
  double h = 0;
  std::string how;
  json cv_json = nullptr;
  if (o.bandwidth == "auto") {
    const double r = bandwidth_arcgis(f.x, f.y, f.w);
    h = r * kernel_sigma(Kernel::Quartic) / kernel_sigma(kernel);
    how = "auto (ArcGIS spatial Silverman: quartic radius " + fmt("%.1f", r) + " m)";
  } else if (o.bandwidth == "scott") {
    const double sigma = bandwidth_scott(f.x, f.y);
    h = sigma / kernel_sigma(kernel);
    how = "scott (Gaussian σ " + fmt("%.1f", sigma) + " m)";
  } else if (o.bandwidth == "cv") {
    const Box W = o.mask.empty() ? data_box : mask_box;
    CvResult cv = bandwidth_cv(f.x, f.y, W, threads);
    h = cv.sigma_m / kernel_sigma(kernel);
    how = "cv (likelihood cross-validation: Gaussian σ " + fmt("%.1f", cv.sigma_m) + " m)";
    cv_json = {{"sigma_m", cv.sigma_m}, {"grid_sigma_m", cv.grid_sigma_m}, {"sigmas_m", cv.sigmas}, {"scores", json::array()}};
    for (double v : cv.scores) cv_json["scores"].push_back(std::isfinite(v) ? json(v) : json(nullptr));
  } else {
    h = parse_length(o.bandwidth, "--bandwidth");
    refuse_degree_like(h, "--bandwidth", o.bandwidth, in.work_crs);
    how = "given";
  }
  s.timings.push_back({"bandwidth", timer.lap()});

  Box extent;
  if (!o.extent.empty()) {
    extent = parse_extent(o.extent);
  } else {
    extent = o.mask.empty() ? data_box : mask_box;
    extent = {extent.xmin - h, extent.ymin - h, extent.xmax + h, extent.ymax + h};
  }
  const Grid grid = grid_for_extent(extent, o.cell_m);
  std::vector<std::uint8_t> mask;
  if (!o.mask.empty()) mask = rasterize_mask(mask_layer.geom, grid, threads);
  s.timings.push_back({"grid", timer.lap()});

  KdeOptions ko;
  ko.kernel = kernel;
  ko.bandwidth_m = h;
  ko.area_scale = scale;
  ko.edge_correction = o.edge_correction;
  ko.threads = threads;
  DensityRaster r = kde(f.x, f.y, f.w, grid, mask, ko);
  mask.clear();
  mask.shrink_to_fit();
  s.timings.push_back({"density", timer.lap()});

  double peak = 0;
  std::int64_t valid = 0, n_positive = 0;
  for (float v : r.values)
    if (v != r.nodata) {
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
    for (float v : r.values)
      if (v != r.nodata && v > 0 && k++ % step == 0) sample.push_back(v);
  }
  std::vector<double> stops = quantile_breaks(sample, 5);
  sample = {};

  std::vector<HotspotZone> zones;
  double threshold = -1;
  std::string threshold_rule;
  if (o.top_percent >= 0) {
    threshold = threshold_top_percent(r, f.x, f.y, o.top_percent);
    threshold_rule = "top " + fmt("%g", o.top_percent) + " % of incidents";
  } else if (o.percentile >= 0) {
    threshold = threshold_percentile(r, o.percentile);
    threshold_rule = fmt("%g", o.percentile) + "th percentile of positive cells";
  } else if (o.threshold >= 0) {
    threshold = o.threshold;
    threshold_rule = "given";
  }
  std::vector<std::int32_t> zone_of;
  if (threshold >= 0) zones = hotspot_zones(r, threshold, f.x, f.y, in.communes.geom, in.zones.geom, &zone_of);
  s.timings.push_back({"zones", timer.lap()});

  const std::string unit = "incidents per " + std::string(o.area_unit == "km2" ? "km²" : o.area_unit == "ha" ? "ha" : "m²");
  s.details.push_back("kde        " + std::string(kernel_name(kernel)) + " kernel, bandwidth " + fmt("%.2f", h) +
                      " m [" + how + "], support radius " + fmt("%.2f", h * kernel_support(kernel)) + " m");
  s.details.push_back("grid       " + std::to_string(grid.cols) + " × " + std::to_string(grid.rows) + " cells of " +
                      fmt("%g", grid.cell) + " m, top-left (" + fmt("%.2f", grid.xmin) + ", " + fmt("%.2f", grid.ymax) +
                      ")" + (o.mask.empty() ? "" : ", masked") + (o.edge_correction ? ", edge-corrected" : ""));
  s.details.push_back("density    " + std::to_string(f.x.size()) + " incidents used, peak " + fmt("%.6g", peak) + " " + unit);
  if (f.by_category + f.by_date + f.by_hour + f.no_time + f.outside_mask)
    s.details.push_back("filtered   category " + std::to_string(f.by_category) + ", dates " + std::to_string(f.by_date) +
                        ", hours " + std::to_string(f.by_hour) + ", no time " + std::to_string(f.no_time) +
                        ", outside mask " + std::to_string(f.outside_mask));
  if (threshold >= 0)
    s.details.push_back("zones      " + std::to_string(zones.size()) + " hotspot zones at density ≥ " +
                        fmt("%.6g", threshold) + " (" + threshold_rule + ")");

  RasterFrame frame{grid.xmin, grid.ymax, grid.cell, grid.cols, grid.rows};
  const std::string renderer = density_renderer_xml(stops);
  json params = {{"command", "kde"},
                 {"command_line", o.command_line},
                 {"work_crs", s.work_crs},
                 {"kernel", kernel_name(kernel)},
                 {"bandwidth_m", h},
                 {"bandwidth_rule", o.bandwidth},
                 {"bandwidth_detail", how},
                 {"support_radius_m", h * kernel_support(kernel)},
                 {"cell_m", grid.cell},
                 {"grid", {{"xmin", grid.xmin}, {"ymax", grid.ymax}, {"cols", grid.cols}, {"rows", grid.rows}}},
                 {"area_unit", o.area_unit},
                 {"mask", o.mask},
                 {"edge_correction", o.edge_correction},
                 {"categories", o.categories},
                 {"from", o.from},
                 {"to", o.to},
                 {"hours", o.hours},
                 {"utc_offset_minutes", o.inputs.incidents.utc_offset_minutes},
                 {"threshold", threshold >= 0 ? json(threshold) : json(nullptr)},
                 {"threshold_rule", threshold_rule},
                 {"nodata", r.nodata}};
  if (!cv_json.is_null()) params["cv"] = cv_json;
  if (tif) {
    write_geotiff(o.out, r.values, frame, in.work_crs, r.nodata, threads,
                  {{"HOTSPOT_PARAMETERS", params.dump()},
                   {"HOTSPOT_VERSIONS", versions().dump()},
                   {"HOTSPOT_BANDWIDTH_M", fmt("%.17g", h)},
                   {"HOTSPOT_UNIT", unit}});
    // QGIS reads OUT.qml beside OUT.tif as the layer's default style.
    fs::path qml = fs::path(o.out).replace_extension(".qml");
    if (FILE* fp = std::fopen(qml.c_str(), "wb")) {
      std::string text = raster_qml(renderer);
      std::fwrite(text.data(), 1, text.size(), fp);
      std::fclose(fp);
    }
    s.timings.push_back({"write", timer.lap()});
    s.layers = {{"density", static_cast<std::int64_t>(grid.size())}};
    s.out = o.out;
    return s;
  }

  GpkgWriter w(o.out);
  w.add_float_coverage("density", in.work_crs, frame, r.values, r.nodata,
                       "Kernel density of incidents (" + unit + "), " + kernel_name(kernel) + " kernel, bandwidth " +
                           fmt("%.1f", h) + " m",
                       threads);
  std::vector<ProjectLayer> project;
  const std::string base = fs::path(o.out).filename().string();
  if (threshold >= 0) {
    LayerWriter& L = w.begin_layer(
        "hotspot_zones", GeometryType::kMultiPolygon, in.work_crs,
        {{"zone_rank", FieldType::Integer}, {"incidents", FieldType::Integer}, {"area_km2", FieldType::Real},
         {"cells", FieldType::Integer}, {"peak_density", FieldType::Real}, {"mean_density", FieldType::Real},
         {"pai", FieldType::Real}, {"threshold", FieldType::Real}, {"communes", FieldType::Text},
         {"industrial_zones", FieldType::Text}},
        "Hotspot zones: connected areas where the density is at least the threshold");
    std::vector<double> pai;
    Box zb;
    for (std::size_t k = 0; k < zones.size(); ++k) {
      const auto& z = zones[k];
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
      L.set(7, threshold);
      L.set(8, std::string_view(communes));
      L.set(9, std::string_view(izones));
      L.insert();
      pai.push_back(z.pai);
      zb.expand(bounds(z.geom));
    }
    std::string qml = graduated_fill_qml("pai", quantile_breaks(pai, 4), "");
    w.add_style("hotspot_zones", "PAI", qml);
    project.push_back({"hotspot_zones", "hotspot_zones", "./" + base + "|layername=hotspot_zones", false, qml, zb});
    std::vector<std::string> ids;  // feature_id = zone_rank
    for (std::size_t k = 0; k < zones.size(); ++k) ids.push_back(std::to_string(k + 1));
    write_temporal_profiles(w, in.work_crs, {{"hotspot_zones", ids, zone_of}}, f.t,
                            o.inputs.incidents.utc_offset_minutes);
  }
  project.push_back({"density", "density", "GPKG:./" + base + ":density", true, renderer, grid.box()});
  write_rejected(w, in);
  s.timings.push_back({"write", timer.lap()});
  w.add_qgis_project("hotspot", qgis_project_xml("hotspot kde", in.work_crs.authority, in.work_crs.wkt, project));
  s.layers = {{"density", static_cast<std::int64_t>(grid.size())}};
  if (threshold >= 0) s.layers.push_back({"hotspot_zones", static_cast<std::int64_t>(zones.size())});
  s.layers.push_back({"rejected_incidents", static_cast<std::int64_t>(s.ingest.rejected.size())});
  s.out = o.out;
  json counts = {{"read", s.ingest.read},
                 {"accepted", s.ingest.accepted},
                 {"rejected", static_cast<std::int64_t>(s.ingest.rejected.size())},
                 {"used", static_cast<std::int64_t>(f.x.size())},
                 {"filtered_category", f.by_category},
                 {"filtered_dates", f.by_date},
                 {"filtered_hours", f.by_hour},
                 {"filtered_no_time", f.no_time},
                 {"outside_mask", f.outside_mask},
                 {"valid_cells", valid},
                 {"hotspot_zones", static_cast<std::int64_t>(zones.size())}};
  json timings = json::object();
  for (const auto& t : s.timings) timings[t.step] = t.seconds;
  json inputs = {{"communes", input_json(o.inputs.communes.path)},
                 {"zones", input_json(o.inputs.zones.path)},
                 {"incidents", input_json(o.inputs.incidents.path)},
                 {"mask", input_json(o.mask)}};
  write_run_metadata(w, in.work_crs,
                     {{"parameters", params}, {"inputs", inputs}, {"versions", versions()}, {"seed", nullptr},
                      {"counts", counts}, {"timings_s", timings}, {"warnings", s.warnings}});
  w.commit();
  return s;
}

}  // namespace hotspot
