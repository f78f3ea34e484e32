// hotspot emerging: load -> grid -> space-time cube -> space-time Gi* -> trends -> classes -> write.
#include <cmath>
#include <cstdio>

#include "aggregate/grid.hpp"
#include "geom/geos.hpp"
#include "hotspot/emerging.hpp"
#include "hotspot/error.hpp"
#include "index/polygon_index.hpp"
#include "io/styles.hpp"
#include "pipeline/load.hpp"
#include "pipeline/outputs.hpp"
#include "stats/emerging.hpp"
#include "util/parallel.hpp"
#include "util/timer.hpp"

namespace hotspot {

using json = nlohmann::json;

namespace {

// Reds for hot patterns, blues for cold, light grey for none: the legend a planner reads first.
const std::vector<RGB> kCategoryColors = {
    {230, 230, 230},                                                                    // none
    {255, 191, 191}, {255, 140, 140}, {204, 0, 0}, {153, 0, 0}, {255, 102, 102},        // new .. diminishing
    {255, 170, 120}, {230, 120, 200}, {190, 140, 140},                                  // sporadic .. historical
    {191, 210, 255}, {140, 175, 255}, {0, 60, 204}, {0, 40, 153}, {102, 140, 255},     // cold
    {120, 200, 255}, {150, 120, 230}, {140, 150, 190}};

}  // namespace

EmergingSummary run_emerging(const EmergingOptions& opt) {
  if (opt.out.empty()) throw UsageError("--out is required");
  if (opt.grid.empty()) throw UsageError("--grid is required (hex:SIZE or square:SIZE)");
  if (opt.neighbourhood_time < 0) throw UsageError("--neighbourhood-time must be >= 0");
  if (!(opt.alpha > 0 && opt.alpha < 1)) throw UsageError("--alpha must be between 0 and 1");
  refuse_overwriting_inputs(opt.out, opt.inputs);
  const GridSpec spec = parse_grid_spec(opt.grid, "--grid");
  const TimeStep step = parse_time_step(opt.time_step);
  if (opt.band < 0) throw UsageError("--band must be > 0");

  LoadedInputs in = load_inputs(opt.inputs);
  EmergingSummary out;
  out.run = summarise(in);
  RunSummary& s = out.run;
  Timer timer;
  const Incidents& inc = in.incidents;
  if (in.report.time_field.empty()) throw UsageError("emerging needs incident times; name the column with --time-field");

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
  Grid grid = make_grid(area, spec, inc.x, inc.y, inc.weight);
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
  for (std::size_t t = 0; t < steps; ++t) {
    double total = 0;
    for (std::size_t c = 0; c < cells; ++c) total += cube[t * cells + c];
    out.empty_steps += total == 0;
  }
  s.timings.push_back({"cube", timer.lap()});

  // Space-time neighbourhood: cells within the band (and the cell itself), this and the previous
  // neighbourhood_time steps.
  out.cell_size = spec.size_m;
  out.band = opt.band > 0 ? opt.band : 1.5 * spec.size_m;
  SpatialWeights w = with_self(band_weights(grid.centroid, out.band), 1.0);
  const int threads = resolve_threads(opt.inputs.threads);
  GiStar gi = space_time_gi_star(cube, cells, steps, w, opt.neighbourhood_time, threads);
  s.timings.push_back({"space-time Gi*", timer.lap()});

  const CellPatterns patterns = classify_cells(cube, gi, cells, steps, opt.alpha, threads);
  const auto& category = patterns.category;
  const auto& gi_trend = patterns.gi_trend;
  const auto& count_trend = patterns.count_trend;
  s.timings.push_back({"trends and classes", timer.lap()});

  const json inputs = input_hashes(opt.inputs);
  GpkgWriter writer(opt.out);
  LayerWriter& L = writer.begin_layer(
      "emerging", GeometryType::kMultiPolygon, in.work_crs,
      {{"cell", FieldType::Integer}, {"category", FieldType::Text}, {"category_code", FieldType::Integer},
       {"total", FieldType::Real}, {"recent", FieldType::Real}, {"hot_steps", FieldType::Integer},
       {"cold_steps", FieldType::Integer}, {"last_gi_z", FieldType::Real}, {"last_gi_p", FieldType::Real},
       {"gi_trend_z", FieldType::Real}, {"gi_trend_p", FieldType::Real}, {"count_trend_z", FieldType::Real},
       {"count_trend_p", FieldType::Real}},
      "Emerging hot spots: the pattern of each cell's space-time Gi* over the time steps");
  std::vector<std::int64_t> per_category(17, 0);
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
  }
  std::vector<std::string> names;
  for (int e = 0; e < 17; ++e) {
    names.emplace_back(emerging_name(static_cast<Emerging>(e)));
    out.categories.emplace_back(names.back(), per_category[static_cast<std::size_t>(e)]);
  }
  writer.add_style("emerging", "emerging hot spots",
                   categorized_colors_qml("category", names, names, kCategoryColors, false));
  // The cube itself, for charts of a cell's series: one row per (cell, step).
  LayerWriter& C = writer.begin_layer("emerging_cube", GeometryType::kNone, in.work_crs,
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
  write_rejected(writer, in);
  s.timings.push_back({"write", timer.lap()});
  json params = ingest_parameters(opt.inputs, in);
  params["command"] = "emerging";
  params["command_line"] = opt.command_line;
  params["grid"] = opt.grid;
  params["time_step"] = opt.time_step;
  params["band"] = out.band;
  params["neighbourhood_time"] = opt.neighbourhood_time;
  params["alpha"] = opt.alpha;
  json counts_json = {{"read", s.ingest.read}, {"accepted", s.ingest.accepted},
                      {"rejected", static_cast<std::int64_t>(s.ingest.rejected.size())},
                      {"cells", cells}, {"steps", steps}, {"empty_steps", out.empty_steps},
                      {"outside_grid", outside}, {"without_time", untimed}};
  json by_category = json::object();
  for (const auto& [name, n] : out.categories) by_category[name] = n;
  counts_json["categories"] = by_category;
  write_run_metadata(writer, in.work_crs,
                     {{"parameters", params}, {"inputs", inputs}, {"versions", versions()}, {"seed", nullptr},
                      {"counts", counts_json}, {"timings_s", timings_json(s.timings)}, {"warnings", s.warnings}});
  writer.commit();
  s.timings.back().seconds += timer.lap();
  out.cells = cells;
  out.steps = steps;
  if (outside > 0) s.warnings.push_back(std::to_string(outside) + " incidents lie outside the grid's study area");
  if (untimed > 0) s.warnings.push_back(std::to_string(untimed) + " incidents have no time and are not in the cube");
  s.out = opt.out;
  s.layers = {{"emerging", static_cast<std::int64_t>(cells)},
              {"emerging_cube", static_cast<std::int64_t>(cells * steps)},
              {"rejected_incidents", static_cast<std::int64_t>(s.ingest.rejected.size())}};
  return out;
}

}  // namespace hotspot
