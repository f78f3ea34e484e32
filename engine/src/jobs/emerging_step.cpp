// hotspot emerging and the emerging step: load -> grid -> emerging hot spots (stats/) -> write.
#include <climits>
#include <cmath>
#include <cstdio>

#include "hotspot/distribute.hpp"
#include "hotspot/error.hpp"
#include "hotspot/jobs/emerging.hpp"
#include "io/styles.hpp"
#include "jobs/budget.hpp"
#include "jobs/load.hpp"
#include "jobs/params_util.hpp"
#include "jobs/steps.hpp"
#include "util/text.hpp"
#include "util/time.hpp"
#include "util/timer.hpp"

namespace hotspot {

using json = nlohmann::json;

namespace {

// Reds for hot patterns, blues for cold, light grey for none: the legend a planner reads first.
const std::vector<RGB> kCategoryColors = {
    {230, 230, 230},  // none
    {255, 191, 191}, {255, 140, 140}, {204, 0, 0},
    {153, 0, 0},     {255, 102, 102},                   // new .. diminishing
    {255, 170, 120}, {230, 120, 200}, {190, 140, 140},  // sporadic .. historical
    {191, 210, 255}, {140, 175, 255}, {0, 60, 204},
    {0, 40, 153},    {102, 140, 255},  // cold
    {120, 200, 255}, {150, 120, 230}, {140, 150, 190}};

}  // namespace

const ParamTable<EmergingStepOptions>& emerging_params() {
  static const ParamTable<EmergingStepOptions> table{
      "emerging",
      {{"grid", ParamType::kText, "Cells: hex:SIZE or square:SIZE (metres)", "", true,
        [](EmergingStepOptions& o, const json& v) {
          const GridSpec spec = parse_grid_spec(param_text(v), "grid");
          o.cell_size_m = spec.size_m;
          o.square_cells = spec.shape == CellShape::kSquare;
          o.grid = param_text(v);
        }},
       {"time_step", ParamType::kText, "Time step: Nd, Nw (Monday-based) or Nmo", "1w", false,
        [](EmergingStepOptions& o, const json& v) {
          o.emerging.time_step = parse_time_step(param_text(v));
          o.time_step = param_text(v);
        }},
       {"band", ParamType::kNumber,
        "Spatial neighbourhood, metres (default 1.5 x cell size: the first ring)", "", false,
        [](EmergingStepOptions& o, const json& v) {
          o.emerging.band_m =
              length_value(v, /*positive=*/false);  // 0: the default, as on the CLI before
        }},
       {"neighbourhood_time", ParamType::kInteger,
        "Previous time steps in each bin's neighbourhood", "1", false,
        [](EmergingStepOptions& o, const json& v) {
          // At most the steps emerging takes (its preflight's limit); the data's span is checked
          // once the steps are known.
          o.emerging.neighbourhood_time = static_cast<int>(int_in_range(v, 0, 100000));
        }},
       {"alpha", ParamType::kNumber, "Significance level of bins and trends", "0.05", false,
        [](EmergingStepOptions& o, const json& v) {
          const double a = length_value(v, /*positive=*/true);
          if (a >= 1) throw UsageError("must be between 0 and 1 (got " + param_text(v) + ")");
          o.emerging.alpha = a;
        }},
       {"cube", ParamType::kBoolean, "Write the emerging_cube table (one row per cell and step)",
        "true", false, [](EmergingStepOptions& o, const json& v) { o.cube = v.get<bool>(); }, "",
        ParamScope::kConfigOnly},
       {"no_cube", ParamType::kBoolean,
        "Skip the emerging_cube table (one row per cell and step); the other layers are the same",
        "", false,
        [](EmergingStepOptions& o, const json& v) {
          if (v.get<bool>()) o.cube = false;
        },
        "no-cube", ParamScope::kCliOnly}},
      {}};
  return table;
}

StepResult emerging_step(const StepContext& ctx, const EmergingStepOptions& opt,
                         std::vector<std::string>* details) {
  const LoadedInputs& in = ctx.in;
  const Incidents& inc = in.incidents;
  if (opt.grid.empty() || !(opt.cell_size_m > 0))
    throw ParameterError("grid", "required (hex:SIZE or square:SIZE)");
  if (in.report.time_field.empty())
    throw UsageError("emerging needs incident times; name the column with --time-field");
  emerging_preflight(in, opt);
  StepResult r;
  r.name = "emerging";
  Timer timer;
  if (in.report.time_missing > 0)
    r.warnings.push_back(std::to_string(in.report.time_missing) +
                         " incidents without a usable time were left out of emerging");

  // Cells over the study area (the communes' union, else the incidents' convex hull).
  const GridSpec spec{opt.square_cells ? CellShape::kSquare : CellShape::kHex, opt.cell_size_m};
  if (inc.size() < 3)
    throw InputError("emerging: needs at least 3 incidents (" + std::to_string(inc.size()) +
                     " accepted)");
  EmergingCells cells = emerging_cells(in.communes.geom, spec, inc.x, inc.y);
  r.timings.push_back({"grid", timer.lap()});
  EmergingOptions eo = opt.emerging;
  eo.threads = ctx.threads;
  const EmergingResult e =
      emerging(inc.x, inc.y, inc.time_utc, inc.weight, cells, eo,
               ctx.distribution ? ctx.distribution->emerging_sums : EmergingSumsFn{});
  r.timings.push_back({"cube, Gi* and classes", timer.lap()});
  const std::size_t ncell = e.cells, steps = e.steps;

  LayerWriter& L = ctx.w.begin_layer(
      "emerging", GeometryType::kMultiPolygon, in.work_crs,
      {{"cell", FieldType::kInteger},
       {"category", FieldType::kText},
       {"category_code", FieldType::kInteger},
       {"total", FieldType::kReal},
       {"recent", FieldType::kReal},
       {"hot_steps", FieldType::kInteger},
       {"cold_steps", FieldType::kInteger},
       {"last_gi_z", FieldType::kReal},
       {"last_gi_p", FieldType::kReal},
       {"gi_trend_z", FieldType::kReal},
       {"gi_trend_p", FieldType::kReal},
       {"count_trend_z", FieldType::kReal},
       {"count_trend_p", FieldType::kReal}},
      "Emerging hot spots: the pattern of each cell's space-time Gi* over the time steps");
  Box extent;
  for (std::size_t c = 0; c < ncell; ++c) {
    double total = 0;
    for (std::size_t t = 0; t < steps; ++t) total += e.count[t * ncell + c];
    const std::size_t last = (steps - 1) * ncell + c;
    L.set_geometry(cells.polygon[c]);
    L.set(0, static_cast<std::int64_t>(c));
    L.set(1, std::string_view(emerging_name(e.category[c])));
    L.set(2, static_cast<std::int64_t>(e.category[c]));
    L.set(3, total);
    L.set(4, e.count[last]);
    L.set(5, e.hot_steps[c]);
    L.set(6, e.cold_steps[c]);
    L.set(7, e.gi_z[last]);
    L.set(8, e.gi_p[last]);
    L.set(9, e.gi_trend[c].z);
    L.set(10, e.gi_trend[c].p_value);
    L.set(11, e.count_trend[c].z);
    L.set(12, e.count_trend[c].p_value);
    L.insert();
    extent.expand(bounds(cells.polygon[c]));
  }
  std::vector<std::string> names;
  std::vector<std::pair<std::string, std::int64_t>> categories;
  for (int k = 0; k < kEmergingCategories; ++k) {
    names.emplace_back(emerging_name(static_cast<Emerging>(k)));
    categories.emplace_back(names.back(), e.cells_per_category[static_cast<std::size_t>(k)]);
  }
  const std::string qml = categorized_colors_qml("category", names, names, kCategoryColors, false,
                                                 /*no_fill: no pattern detected*/ 0);
  ctx.w.add_style("emerging", "emerging hot spots", qml);
  r.timings.push_back({"write", timer.lap()});
  r.layers = {{"emerging", static_cast<std::int64_t>(ncell)}};
  if (opt.cube) {
    // The cube itself, for charts of a cell's series: one row per (cell, step), through one
    // prepared insert in the writer's transaction; the step dates are formatted once per step.
    LayerWriter& C = ctx.w.begin_layer("emerging_cube", GeometryType::kNone, in.work_crs,
                                       {{"cell", FieldType::kInteger},
                                        {"step", FieldType::kInteger},
                                        {"step_start", FieldType::kDateTime},
                                        {"count", FieldType::kReal},
                                        {"gi_z", FieldType::kReal},
                                        {"gi_p", FieldType::kReal}},
                                       "Space-time cube: incidents and Gi* per cell and time step");
    std::vector<std::string> starts(steps);
    for (std::size_t t = 0; t < steps; ++t) {
      starts[t] = format_utc(e.step_start_utc[t]);  // as LayerWriter::set_time writes it
      starts[t].insert(starts[t].size() - 1, ".000");
    }
    for (std::size_t c = 0; c < ncell; ++c)
      for (std::size_t t = 0; t < steps; ++t) {
        const std::size_t b = t * ncell + c;
        C.set(0, static_cast<std::int64_t>(c));
        C.set(1, static_cast<std::int64_t>(t));
        if (e.step_start_utc[t] == kNoTime)
          C.set_null(2);
        else
          C.set(2, std::string_view(starts[t]));
        C.set(3, e.count[b]);
        C.set(4, e.gi_z[b]);
        C.set(5, e.gi_p[b]);
        C.insert();
      }
    r.timings.push_back({"cube write", timer.lap()});
    r.layers.push_back({"emerging_cube", static_cast<std::int64_t>(ncell * steps)});
  }
  r.project = {{"emerging",
                "Emerging hot spots (" + grid_words(opt.grid, in.work_crs.planar()) + ", " +
                    opt.time_step + " steps)",
                ctx.vector_source("emerging"), false, qml, extent, "Hotspots", false}};
  r.parameters = {{"grid", opt.grid},
                  {"cell_size", spec.size_m},
                  {"time_step", opt.time_step},
                  {"band", e.band_m},
                  {"neighbourhood_time", opt.emerging.neighbourhood_time},
                  {"alpha", opt.emerging.alpha},
                  {"cube", opt.cube}};
  json by_category = json::object();
  for (const auto& [name, n] : categories) by_category[name] = n;
  r.counts = {{"cells", ncell},
              {"steps", steps},
              {"empty_steps", e.empty_steps},
              {"outside_grid", e.outside},
              {"without_time", e.without_time},
              {"categories", by_category}};
  if (e.outside > 0)
    r.warnings.push_back(std::to_string(e.outside) +
                         " incidents lie outside the grid's study area");
  if (e.without_time > 0)
    r.warnings.push_back(std::to_string(e.without_time) +
                         " incidents have no time and are not in the cube");
  char buf[200];
  std::snprintf(buf, sizeof buf,
                "cube       %zu cells x %zu steps of %s (%zu without incidents); band %g %s, "
                "neighbourhood time %d step%s",
                ncell, steps, opt.time_step.c_str(), e.empty_steps, e.band_m,
                length_unit(in.work_crs.planar()), opt.emerging.neighbourhood_time,
                opt.emerging.neighbourhood_time == 1 ? "" : "s");
  r.details.emplace_back(buf);
  for (const auto& [name, n] : categories)
    if (n > 0) r.details.push_back("  " + name + ": " + std::to_string(n));
  if (details) *details = r.details;
  return r;
}

EmergingSummary run_emerging(const EmergingJobOptions& opt) {
  EmergingSummary out;
  // The step's details stay out of the summary: the command prints them after it.
  out.run = run_single_step(
      {"emerging",
       opt.command_line,
       opt.inputs,
       opt.out,
       {},
       "hotspot emerging",
       [&](const StepContext& ctx) { return emerging_step(ctx, opt.step, &out.details); }});
  return out;
}

}  // namespace hotspot
