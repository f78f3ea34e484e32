// hotspot emerging: load -> grid -> space-time cube -> space-time Gi* -> trends -> classes -> write.
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "aggregate/grid.hpp"
#include "geom/geos.hpp"
#include "hotspot/emerging.hpp"
#include "hotspot/error.hpp"
#include "index/polygon_index.hpp"
#include "io/styles.hpp"
#include "jobs/load.hpp"
#include "jobs/outputs.hpp"
#include "jobs/steps.hpp"
#include "stats/emerging.hpp"
#include "util/parallel.hpp"
#include "util/timer.hpp"

namespace hotspot {

using json = nlohmann::json;

namespace {

namespace fs = std::filesystem;

// Reds for hot patterns, blues for cold, light grey for none: the legend a planner reads first.
const std::vector<RGB> kCategoryColors = {
    {230, 230, 230},                                                                    // none
    {255, 191, 191}, {255, 140, 140}, {204, 0, 0}, {153, 0, 0}, {255, 102, 102},        // new .. diminishing
    {255, 170, 120}, {230, 120, 200}, {190, 140, 140},                                  // sporadic .. historical
    {191, 210, 255}, {140, 175, 255}, {0, 60, 204}, {0, 40, 153}, {102, 140, 255},     // cold
    {120, 200, 255}, {150, 120, 230}, {140, 150, 190}};

}  // namespace

void check_emerging_options(const EmergingOptions& opt) {
  if (opt.grid.empty()) throw UsageError("--grid is required (hex:SIZE or square:SIZE)");
  if (opt.neighbourhood_time < 0) throw UsageError("--neighbourhood-time must be >= 0");
  if (!(opt.alpha > 0 && opt.alpha < 1)) throw UsageError("--alpha must be between 0 and 1");
  parse_grid_spec(opt.grid, "--grid");
  parse_time_step(opt.time_step);
  if (opt.band < 0) throw UsageError("--band must be > 0");
}

StepResult emerging_step(const StepContext& ctx, const EmergingOptions& opt, EmergingSummary* summary) {
  const GridSpec spec = parse_grid_spec(opt.grid, "--grid");
  const TimeStep step = parse_time_step(opt.time_step);
  const LoadedInputs& in = ctx.in;
  const Incidents& inc = in.incidents;
  if (in.report.time_field.empty()) throw UsageError("emerging needs incident times; name the column with --time-field");
  StepResult r;
  r.name = "emerging";
  Timer timer;

  // Cells over the study area (the communes' union, else the incidents' convex hull).
  std::vector<XY> pts(inc.size());
  for (std::size_t i = 0; i < inc.size(); ++i) pts[i] = {inc.x[i], inc.y[i]};
  if (pts.size() < 3) throw InputError("emerging: needs incidents (" + std::to_string(pts.size()) + " accepted)");
  MultiPolygon area = study_area(in.communes.geom, pts);
  if (in.communes.size() == 0) {
    // The incidents' convex hull has incidents on its very boundary; grown by half a cell, every
    // incident lies inside it.
    Geos geos;
    area = geos.to_multipolygon(geos.buffer(geos.from(area).get(), spec.size_m / 2).get());
  }
  CellGrid grid = make_grid(area, spec, inc.x, inc.y, inc.weight);
  const std::size_t cells = grid.cells.size();
  if (cells < 2) throw InputError("emerging: the grid has " + std::to_string(cells) + " cell(s); use a smaller --grid");
  PolygonIndex cell_index(grid.cells);
  StepBinning bins = bin_times(inc.time_utc, step, opt.inputs.incidents.utc_offset_minutes);
  const std::size_t steps = bins.steps();
  if (steps < 2) throw InputError("emerging: the incidents span " + std::to_string(steps) + " time step(s); need at least 2");
  std::vector<double> cube(cells * steps, 0.0);
  std::int64_t outside = 0, untimed = 0;
  for (std::size_t i = 0; i < inc.size(); ++i) {
    const std::int32_t c = cell_index.locate(pts[i]);
    if (c < 0) { ++outside; continue; }
    if (bins.step_of[i] < 0) { ++untimed; continue; }
    cube[static_cast<std::size_t>(bins.step_of[i]) * cells + static_cast<std::size_t>(c)] += inc.weight.empty() ? 1.0 : inc.weight[i];
  }
  std::size_t empty_steps = 0;
  for (std::size_t t = 0; t < steps; ++t) {
    double total = 0;
    for (std::size_t c = 0; c < cells; ++c) total += cube[t * cells + c];
    empty_steps += total == 0;
  }
  r.timings.push_back({"cube", timer.lap()});

  // Space-time neighbourhood: cells within the band (and the cell itself), this and the previous
  // neighbourhood_time steps.
  const double band = opt.band > 0 ? opt.band : 1.5 * spec.size_m;
  SpatialWeights w = with_self(band_weights(grid.centroid, band), 1.0);
  GiStar gi = space_time_gi_star(cube, cells, steps, w, opt.neighbourhood_time, ctx.threads);
  r.timings.push_back({"space-time Gi*", timer.lap()});

  const CellPatterns patterns = classify_cells(cube, gi, cells, steps, opt.alpha, ctx.threads);
  const auto& category = patterns.category;
  const auto& gi_trend = patterns.gi_trend;
  const auto& count_trend = patterns.count_trend;
  r.timings.push_back({"trends and classes", timer.lap()});

  LayerWriter& L = ctx.w.begin_layer(
      "emerging", GeometryType::kMultiPolygon, in.work_crs,
      {{"cell", FieldType::Integer}, {"category", FieldType::Text}, {"category_code", FieldType::Integer},
       {"total", FieldType::Real}, {"recent", FieldType::Real}, {"hot_steps", FieldType::Integer},
       {"cold_steps", FieldType::Integer}, {"last_gi_z", FieldType::Real}, {"last_gi_p", FieldType::Real},
       {"gi_trend_z", FieldType::Real}, {"gi_trend_p", FieldType::Real}, {"count_trend_z", FieldType::Real},
       {"count_trend_p", FieldType::Real}},
      "Emerging hot spots: the pattern of each cell's space-time Gi* over the time steps");
  std::vector<std::int64_t> per_category(17, 0);
  Box extent;
  for (std::size_t c = 0; c < cells; ++c) {
    double total = 0;
    std::int64_t hot = 0, cold = 0;
    for (std::size_t t = 0; t < steps; ++t) {
      const std::size_t b = t * cells + c;
      total += cube[b];
      hot += gi.z[b] > 0 && gi.p[b] < opt.alpha;
      cold += gi.z[b] < 0 && gi.p[b] < opt.alpha;
    }
    const std::size_t last = (steps - 1) * cells + c;
    L.set_geometry(grid.cells[c]);
    L.set(0, static_cast<std::int64_t>(c));
    L.set(1, std::string_view(emerging_name(category[c])));
    L.set(2, static_cast<std::int64_t>(category[c]));
    L.set(3, total);
    L.set(4, cube[last]);
    L.set(5, hot);
    L.set(6, cold);
    L.set(7, gi.z[last]);
    L.set(8, gi.p[last]);
    L.set(9, gi_trend[c].z);
    L.set(10, gi_trend[c].p_value);
    L.set(11, count_trend[c].z);
    L.set(12, count_trend[c].p_value);
    L.insert();
    ++per_category[static_cast<std::size_t>(category[c])];
    extent.expand(bounds(grid.cells[c]));
  }
  std::vector<std::string> names;
  std::vector<std::pair<std::string, std::int64_t>> categories;
  for (int e = 0; e < 17; ++e) {
    names.emplace_back(emerging_name(static_cast<Emerging>(e)));
    categories.emplace_back(names.back(), per_category[static_cast<std::size_t>(e)]);
  }
  const std::string qml = categorized_colors_qml("category", names, names, kCategoryColors, false);
  ctx.w.add_style("emerging", "emerging hot spots", qml);
  // The cube itself, for charts of a cell's series: one row per (cell, step).
  LayerWriter& C = ctx.w.begin_layer("emerging_cube", GeometryType::kNone, in.work_crs,
                                     {{"cell", FieldType::Integer}, {"step", FieldType::Integer},
                                      {"step_start", FieldType::DateTime}, {"count", FieldType::Real},
                                      {"gi_z", FieldType::Real}, {"gi_p", FieldType::Real}},
                                     "Space-time cube: incidents and Gi* per cell and time step");
  for (std::size_t c = 0; c < cells; ++c)
    for (std::size_t t = 0; t < steps; ++t) {
      const std::size_t b = t * cells + c;
      C.set(0, static_cast<std::int64_t>(c));
      C.set(1, static_cast<std::int64_t>(t));
      C.set_time(2, bins.start_utc[t]);
      C.set(3, cube[b]);
      C.set(4, gi.z[b]);
      C.set(5, gi.p[b]);
      C.insert();
    }
  r.timings.push_back({"write", timer.lap()});

  r.layers = {{"emerging", static_cast<std::int64_t>(cells)},
              {"emerging_cube", static_cast<std::int64_t>(cells * steps)}};
  r.project = {{"emerging", "emerging", ctx.vector_source("emerging"), false, qml, extent}};
  r.parameters = {{"grid", opt.grid},
                  {"cell_size", spec.size_m},
                  {"time_step", opt.time_step},
                  {"band", band},
                  {"neighbourhood_time", opt.neighbourhood_time},
                  {"alpha", opt.alpha}};
  json by_category = json::object();
  for (const auto& [name, n] : categories) by_category[name] = n;
  r.counts = {{"cells", cells},         {"steps", steps},           {"empty_steps", empty_steps},
              {"outside_grid", outside}, {"without_time", untimed}, {"categories", by_category}};
  if (outside > 0) r.warnings.push_back(std::to_string(outside) + " incidents lie outside the grid's study area");
  if (untimed > 0) r.warnings.push_back(std::to_string(untimed) + " incidents have no time and are not in the cube");
  char buf[200];
  std::snprintf(buf, sizeof buf, "cube       %zu cells x %zu steps of %s (%zu without incidents); band %g, "
                "neighbourhood time %d", cells, steps, opt.time_step.c_str(), empty_steps, band, opt.neighbourhood_time);
  r.details.emplace_back(buf);
  for (const auto& [name, n] : categories)
    if (n > 0) r.details.push_back("  " + name + ": " + std::to_string(n));
  if (summary) {
    summary->cells = cells;
    summary->steps = steps;
    summary->empty_steps = empty_steps;
    summary->cell_size = spec.size_m;
    summary->band = band;
    summary->categories = std::move(categories);
  }
  return r;
}

EmergingSummary run_emerging(const EmergingOptions& opt) {
  if (opt.out.empty()) throw UsageError("--out is required");
  check_emerging_options(opt);
  refuse_overwriting_inputs(opt.out, input_paths(opt.inputs));

  LoadedInputs in = load_inputs(opt.inputs);
  EmergingSummary out;
  out.run = summarise(in);
  RunSummary& s = out.run;
  GpkgWriter writer(opt.out);
  const StepContext ctx{in, writer, fs::path(opt.out).filename().string(), resolve_threads(opt.inputs.threads), {}};
  const StepResult step = emerging_step(ctx, opt, &out);
  add_step(s, step);  // its details stay out: the command prints its own category table

  json params = ingest_parameters(opt.inputs, in);
  params["command"] = "emerging";
  params["command_line"] = opt.command_line;
  params.update(step.parameters);
  json counts = load_counts(s);
  counts.update(step.counts);
  finish_job(writer, in, s, {step}, {params, input_hashes(opt.inputs), counts, nullptr, "hotspot emerging", {}},
             opt.inputs.incidents.utc_offset_minutes);
  s.out = opt.out;
  s.layers.push_back({"rejected_incidents", static_cast<std::int64_t>(s.ingest.rejected.size())});
  return out;
}

}  // namespace hotspot
