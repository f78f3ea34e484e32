// hotspot local: units (a layer, the communes or a generated grid) -> weights -> Gi* / Local
// Moran -> permutations -> FDR -> GeoPackage. Communes and grids are a step (local_step) on the
// loaded inputs; a units layer brings its own working CRS and stays run_local's own path.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "hotspot/distribute.hpp"
#include "hotspot/error.hpp"
#include "io/gpkg_writer.hpp"
#include "io/styles.hpp"
#include "jobs/budget.hpp"
#include "jobs/load.hpp"
#include "jobs/local_units.hpp"
#include "jobs/outputs.hpp"
#include "jobs/params_util.hpp"
#include "jobs/steps.hpp"
#include "util/parallel.hpp"
#include "util/text.hpp"
#include "util/timer.hpp"

namespace hotspot {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::string fmt(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// Weights -> Gi* / Local Moran -> permutations -> FDR -> `layer` with its styles. Fills the
// weights, statistics and inference parts of s and times them; returns the default style (QML).
std::string analyse(const Units& u, const LocalOptions& o, int threads, std::uint64_t max_memory,
                    GpkgWriter& out, const std::string& layer, LocalSummary& s, Timer& timer,
                    const LocalPermutationsFn& permute = {}) {
  const bool want_gi = o.stats.stat != LocalStat::kLisa, want_lisa = o.stats.stat != LocalStat::kGi;
  const WeightUnits& geo = u.geometry;
  s.planar = geo.planar;

  // Weights.
  WeightsSpec spec = o.weights;
  if (!o.weights_given) {  // grid auto: the band of incremental spatial autocorrelation
    const IsaResult isa = incremental_spatial_autocorrelation(u.value, geo.xy, s.cell_size_m);
    s.isa = isa.bands;
    if (!isa.peaked)
      s.warnings.push_back(
          "--grid auto: no peak of Global Moran z over 10 bands; used the band with the largest z");
    spec.kind = WeightsKind::kBand, spec.band_m = isa.band;
  }
  require_local_weights(geo.xy, spec, o.stats.permutations, max_memory);
  const BuiltWeights bw = build_weights(spec, geo);
  const SpatialWeights& w = bw.w;
  s.snap = bw.snap;
  s.band = bw.band_m;
  s.weights = bw.description;
  if (!o.weights_given)
    s.weights =
        "distance band " + fmt(spec.band_m) + " " + length_unit(geo.planar) +
        " (first peak of incremental spatial autocorrelation)" +
        (spec.inverse_distance > 0 ? ", inverse distance d^-" + fmt(spec.inverse_distance) : "");
  for (auto i : bw.islands) s.islands.push_back(u.label[static_cast<std::size_t>(i)]);
  s.islands_policy = spec.islands == IslandPolicy::kNearest ? "nearest" : "keep";
  if (!s.islands.empty()) {
    if (spec.islands == IslandPolicy::kNearest)
      s.warnings.push_back(std::to_string(s.islands.size()) +
                           " island(s) attached to their nearest unit (--islands nearest)");
    else
      s.warnings.push_back(std::to_string(s.islands.size()) +
                           " island(s) without neighbours: their statistics are null "
                           "(--islands nearest attaches them)");
  }
  s.links = static_cast<std::int64_t>(w.index.size());
  s.mean_neighbours = static_cast<double>(s.links) / static_cast<double>(w.size());
  s.weights += "; Gi*: " + std::string(spec.inverse_distance > 0 ? "" : "binary ") +
               "weights including the unit itself (self weight 1)" +
               "; Local Moran: row-standardised";
  s.timings.push_back({"weights", timer.lap()});

  // Statistics, permutations, FDR, labels.
  LocalStatsOptions so = o.stats;
  so.threads = threads;
  const LocalStatsResult r = local_stats(u.value, w, so, permute);
  const GiStarResult& gi = r.gi;
  const LocalMoranResult& lm = r.lisa;
  s.has_global = r.has_global;
  if (r.has_global)
    s.moran_I = r.global.I, s.moran_E = r.global.E, s.moran_V = r.global.V, s.moran_z = r.global.z,
    s.moran_p = r.global.p, s.moran_defined = r.global.defined;
  if (r.has_global && !r.global.defined)
    s.warnings.push_back(
        "Global Moran's I is undefined: its variance is zero (every unit a neighbour of all the "
        "others?); z and p are null");
  s.gi_undefined = gi.undefined, s.lisa_undefined = lm.undefined;
  if (gi.undefined > 0)
    s.warnings.push_back(std::to_string(gi.undefined) +
                         " unit(s) have an undefined Gi* (zero or non-finite variance): z and p "
                         "are null, Gi_Bin 0");
  if (lm.undefined > 0)
    s.warnings.push_back(std::to_string(lm.undefined) +
                         " unit(s) have an undefined Local Moran's I (zero or non-finite "
                         "variance, or a value exactly at the mean): z and p are null, COType "
                         "empty");
  const double statistics_s = timer.lap();
  s.timings.push_back({"statistics", statistics_s - r.permutations_s});
  if (so.permutations > 0) s.timings.push_back({"permutations", r.permutations_s});
  s.permutations = so.permutations;
  s.seed = so.seed;
  s.fdr = so.fdr;
  const std::size_t n = u.value.size();
  if (so.fdr && so.permutations > 0) {
    const double nd = static_cast<double>(n), floor_p = 1.0 / (so.permutations + 1);
    if (floor_p * nd > 0.05)
      s.warnings.push_back("--fdr with " + std::to_string(so.permutations) +
                           " permutations: the smallest pseudo p is " + fmt(floor_p) + ", so at " +
                           std::to_string(n) +
                           " units a unit can pass Benjamini-Hochberg at 95 % only if at least " +
                           std::to_string(static_cast<long long>(std::ceil(floor_p * nd / 0.05))) +
                           " units are as extreme; use --permutations " +
                           std::to_string(static_cast<long long>(std::ceil(nd / 0.05)) - 1) +
                           " or more");
  }
  if (want_gi) s.gi_bins = gi_bin_counts(gi);
  if (want_lisa) s.cotypes = cotype_counts(lm);

  // Output.
  std::vector<FieldDef> fields;
  std::set<std::string> ours = {"NNeighbors", "GiZScore",  "GiPValue",     "GiPValueFDR",
                                "Gi_Bin",     "LMiIndex",  "LMiExpected",  "LMiVariance",
                                "LMiZScore",  "LMiPValue", "LMiPValueFDR", "COType"};
  for (const auto& a : u.attributes) {
    std::string name = ours.count(a.name) || a.name == "fid" ? "src_" + a.name : a.name;
    fields.push_back({name, a.type});
  }
  const int base = static_cast<int>(fields.size());
  fields.push_back({"NNeighbors", FieldType::kInteger});
  int f_gi = -1, f_lm = -1;
  if (want_gi) {
    f_gi = static_cast<int>(fields.size());
    for (const char* f : {"GiZScore", "GiPValue", "GiPValueFDR", "Gi_Bin"})
      if (so.fdr || std::string(f) != "GiPValueFDR")
        fields.push_back({f, std::string(f) == "Gi_Bin" ? FieldType::kInteger : FieldType::kReal});
  }
  if (want_lisa) {
    f_lm = static_cast<int>(fields.size());
    for (const char* f : {"LMiIndex", "LMiExpected", "LMiVariance", "LMiZScore", "LMiPValue",
                          "LMiPValueFDR", "COType"})
      if (so.fdr || std::string(f) != "LMiPValueFDR")
        fields.push_back({f, std::string(f) == "COType" ? FieldType::kText : FieldType::kReal});
  }
  LayerWriter& L = out.begin_layer(
      layer, geo.points ? GeometryType::kPoint : GeometryType::kMultiPolygon, u.crs, fields,
      "Local statistics (Getis-Ord Gi*, Local Moran's I) per unit; weights: " + s.weights);
  for (std::size_t i = 0; i < n; ++i) {
    if (geo.points)
      L.set_point(geo.xy[i]);
    else
      L.set_geometry(geo.polygons[i]);
    for (std::size_t a = 0; a < u.attributes.size(); ++a) {
      const auto& at = u.attributes[a];
      const int f = static_cast<int>(a);
      if (at.null[i]) continue;
      if (at.type == FieldType::kInteger)
        L.set(f, at.integer[i]);
      else if (at.type == FieldType::kReal)
        L.set(f, at.real[i]);
      else
        L.set(f, std::string_view(at.text[i]));
    }
    L.set(base, static_cast<std::int64_t>(w.cardinality(i)));
    if (want_gi) {
      int f = f_gi;
      L.set(f++, gi.z[i]);
      L.set(f++, gi.p[i]);
      if (so.fdr) L.set(f++, gi.p_fdr[i]);
      if (w.cardinality(i) > 0) L.set(f, static_cast<std::int64_t>(gi.bin[i]));  // islands: null
    }
    if (want_lisa) {
      int f = f_lm;
      L.set(f++, lm.I[i]);
      L.set(f++, lm.E[i]);
      L.set(f++, lm.V[i]);
      L.set(f++, lm.Z[i]);
      L.set(f++, lm.p[i]);
      if (so.fdr) L.set(f++, lm.p_fdr[i]);
      L.set(f, std::string_view(lm.cotype[i]));
    }
    L.insert();
  }
  if (want_gi)
    out.add_style(layer, "Gi* hot and cold spots (Gi_Bin)", gi_bin_qml(geo.points), true);
  if (want_lisa)
    out.add_style(layer, "Local Moran clusters and outliers (COType)", cotype_qml(geo.points),
                  !want_gi);
  s.timings.push_back({"write", timer.lap()});
  return want_gi ? gi_bin_qml(geo.points) : cotype_qml(geo.points);
}

// The resolved parameters of the statistics, as run_metadata records them.
json statistics_parameters(const LocalOptions& o, const LocalSummary& s) {
  const char* stat = o.stats.stat == LocalStat::kGi     ? "gi"
                     : o.stats.stat == LocalStat::kLisa ? "lisa"
                                                        : "both";
  json p = {{"units_source", units_source_name(o.units_source)},
            {"grid", o.units_source != UnitsSource::kGrid ? ""
                     : o.grid_auto                        ? "auto"
                                                          : grid_spec_text(o.grid)},
            {"cell_size", s.cell_size_m},
            {"stat", stat},
            {"weights", o.weights_given ? weights_spec_text(o.weights) : "auto"},
            {"weights_description", s.weights},
            {"snap", s.snap},
            {"band", s.band},
            {"inverse_distance_power", o.weights.inverse_distance},
            {"islands", o.weights.islands == IslandPolicy::kNearest ? "nearest" : "keep"},
            {"permutations", o.stats.permutations},
            {"fdr", o.stats.fdr},
            {"significance", {{"gi_bin", "p < 0.10 / 0.05 / 0.01"}, {"cotype", "p < 0.05"}}}};
  if (o.units_source == UnitsSource::kCommunes) p["value"] = unit_value_name(o.value);
  if (o.window.any() || !o.categories.empty())
    p["window"] = {{"from", o.window.from}, {"to", o.window.to}, {"hours", o.window.hours},
                   {"days", o.window.days}, {"categories", o.categories}};
  return p;
}

json statistics_counts(const LocalSummary& s) {
  return {{"units", s.units},
          {"units_dropped", s.units_dropped},
          {"links", s.links},
          {"gi_undefined", s.gi_undefined},
          {"lisa_undefined", s.lisa_undefined},
          {"islands", s.islands},
          {"incidents_counted", s.incidents_counted},
          {"incidents_outside", s.incidents_outside},
          {"incidents_not_in_window",
           s.incidents_not_in_window >= 0 ? json(s.incidents_not_in_window) : json(nullptr)}};
}

json global_moran_json(const LocalSummary& s) {
  if (!s.has_global) return nullptr;
  auto number = [](double v) { return std::isfinite(v) ? json(v) : json(nullptr); };
  return {{"I", number(s.moran_I)}, {"E", number(s.moran_E)}, {"V", number(s.moran_V)},
          {"z", number(s.moran_z)}, {"p", number(s.moran_p)}, {"defined", s.moran_defined},
          {"weights", "row-standardised"}};
}

json isa_json(const LocalSummary& s) {
  json isa = json::array();
  for (auto [d, z] : s.isa) isa.push_back({{"band", d}, {"moran_z", z}});
  return isa;
}

// The whole parameters row of hotspot local: the statistics' and the command's own.
json command_parameters(const LocalOptions& o, const LocalSummary& s) {
  json p = statistics_parameters(o, s);
  p["command"] = "local";
  p["command_line"] = o.command_line;
  p["units"] = o.units;
  p["field"] = o.field;
  p["work_crs"] = s.work_crs;
  p["work_crs_reason"] = s.work_crs_reason;
  return p;
}

}  // namespace

const char* units_source_name(UnitsSource s) {
  return s == UnitsSource::kCommunes ? "communes" : s == UnitsSource::kGrid ? "grid" : "file";
}

const char* unit_value_name(UnitValue v) {
  return v == UnitValue::kPerKm2 ? "per_km2" : v == UnitValue::kPer1000 ? "per_1000" : "count";
}

namespace {

void set_weights(LocalOptions& o, const json& v) {
  o.weights = parse_weights_spec(param_text(v), o.weights);
  o.weights_given = true;
}

void set_grid(LocalOptions& o, const json& v) {
  const std::string text = param_text(v);
  o.grid_auto = text == "auto";
  if (!o.grid_auto) o.grid = parse_grid_spec(text, "grid");
  // The CLI has no units parameter: --grid makes the units a grid.
  if (o.units_source == UnitsSource::kFile) o.units_source = UnitsSource::kGrid;
}

bool grid_given(const LocalOptions& o) { return o.grid_auto || o.grid.size_m > 0; }

void check_local(const LocalOptions& o) {
  if (o.units_source == UnitsSource::kFile && o.units.empty())
    throw UsageError("give either --units (with --field) or --grid (with --incidents)");
  if (o.units_source == UnitsSource::kGrid && !o.units.empty())
    throw UsageError("give either --units (with --field) or --grid (with --incidents)");
  if (o.units_source == UnitsSource::kGrid && !grid_given(o))
    throw ParameterError("grid", "required with grid units");
  if (o.units_source == UnitsSource::kCommunes && grid_given(o))
    throw ParameterError("grid", "local on communes takes no grid");
  if (o.value != UnitValue::kCount && o.units_source != UnitsSource::kCommunes)
    throw ParameterError("value",
                         std::string(unit_value_name(o.value)) + " applies to commune units only");
  if (o.units_source == UnitsSource::kFile && (o.window.any() || !o.categories.empty()))
    throw ParameterError(!o.categories.empty()         ? "categories"
                         : o.window.by_hours            ? "hours"
                         : o.window.weekdays != 0x7F    ? "days"
                         : !o.window.from.empty()       ? "from"
                                                        : "to",
                         "filters incidents: give it with communes or grid units, which count them");
  check_window(o.window);
  if (!o.weights_given && !(o.units_source == UnitsSource::kGrid && o.grid_auto))
    throw ParameterError("weights", "required (queen, rook, knn:K or band:D)");
  const bool contiguity =
      o.weights.kind == WeightsKind::kQueen || o.weights.kind == WeightsKind::kRook;
  if (o.weights_given && contiguity && o.weights.inverse_distance > 0)
    throw ParameterError("inverse_distance", "applies to knn:K and band:D weights");
}

}  // namespace

const ParamTable<LocalOptions>& local_params() {
  using P = Param<LocalOptions>;
  auto text = [](std::string LocalOptions::*field) {
    return [field](LocalOptions& o, const json& v) { o.*field = param_text(v); };
  };
  static const ParamTable<LocalOptions> table{
      "local",
      joined(std::vector<P>{P{"units", ParamType::kText, "Analysis units: communes or grid", "", true,
         [](LocalOptions& o, const json& v) {
           o.units_source = one_of(v, {"communes", "grid"}) == "grid" ? UnitsSource::kGrid
                                                                      : UnitsSource::kCommunes;
         },
         "", ParamScope::kConfigOnly},
       // The CLI's units are a file: the same flag, another parameter.
       P{"units_file", ParamType::kText,
         "Analysis units: any OGR polygon or point layer, or a CSV of points", "", false,
         text(&LocalOptions::units), "units", ParamScope::kCliOnly},
       P{"units_layer", ParamType::kText, "Layer in the units source (default: first)", "", false,
         text(&LocalOptions::units_layer), "", ParamScope::kCliOnly},
       P{"units_crs", ParamType::kText, "Override the units' CRS (any PROJ string, or planar)", "",
         false, text(&LocalOptions::units_crs), "", ParamScope::kCliOnly},
       P{"field", ParamType::kText, "Value field of the units", "", false,
         text(&LocalOptions::field), "", ParamScope::kCliOnly},
       P{"grid", ParamType::kText,
         "Generated units: hex:SIZE, square:SIZE (metres between cell centres) or auto", "", false,
         set_grid},
       P{"value", ParamType::kText, "Communes: the value tested, count, per_km2 or per_1000", "",
         false,
         [](LocalOptions& o, const json& v) {
           const std::string s = one_of(v, {"count", "per_km2", "per_1000"});
           o.value = s == "per_km2"    ? UnitValue::kPerKm2
                     : s == "per_1000" ? UnitValue::kPer1000
                                       : UnitValue::kCount;
         },
         "", ParamScope::kConfigOnly},
       P{"layer", ParamType::kText, "Output layer (default: local_communes or local_grid)", "",
         false, text(&LocalOptions::layer), "", ParamScope::kConfigOnly},
       P{"name", ParamType::kText,
         "Names the analysis (its default layer is local_UNITS_NAME); for several local analyses",
         "", false, [](LocalOptions& o, const json& v) { o.name = analysis_name(v); }, "",
         ParamScope::kConfigOnly},
       P{"stat", ParamType::kText, "gi, lisa or both", "both", false,
         [](LocalOptions& o, const json& v) {
           const std::string s = one_of(v, {"gi", "lisa", "both"});
           o.stats.stat = s == "gi"     ? LocalStat::kGi
                          : s == "lisa" ? LocalStat::kLisa
                                        : LocalStat::kBoth;
         }},
       // Required in a configuration; on the command line grid auto chooses a band.
       P{"weights", ParamType::kText, "queen, rook, knn:K or band:D (D in metres)", "", true,
         set_weights, "", ParamScope::kConfigOnly},
       P{"weights_cli", ParamType::kText,
         "queen, rook, knn:K or band:D (D in metres, or data units for planar input)", "", false,
         set_weights, "weights", ParamScope::kCliOnly},
       P{"snap", ParamType::kNumber,
         "Contiguity snapping tolerance (default: 0.5 m; planar: 1e-7 of the extent)", "", false,
         [](LocalOptions& o, const json& v) { o.weights.snap = length_value(v, false); }, "",
         ParamScope::kCliOnly},
       P{"inverse_distance", ParamType::kNumber, "Weights d^-P on knn/band neighbours (P > 0)", "",
         false,
         [](LocalOptions& o, const json& v) {
           o.weights.inverse_distance = length_value(v, false);
           if (o.weights.inverse_distance > kMaxInverseDistancePower)
             throw UsageError("must be a power in 0.." + fmt(kMaxInverseDistancePower) + " (got " +
                              param_text(v) + "); 1 or 2 are usual, 0 is binary weights");
         }},
       P{"islands", ParamType::kText, "Units without neighbours: keep (null statistics) or nearest",
         "keep", false,
         [](LocalOptions& o, const json& v) {
           o.weights.islands = one_of(v, {"keep", "nearest"}) == "nearest" ? IslandPolicy::kNearest
                                                                           : IslandPolicy::kKeep;
         }},
       P{"permutations", ParamType::kInteger, "Conditional permutations; 0 = analytic p only",
         "999", false,
         [](LocalOptions& o, const json& v) {
           o.stats.permutations = static_cast<int>(int_in_range(v, 0, kMaxPermutations));
         }},
       P{"seed", ParamType::kInteger, "Random seed (recorded in run_metadata)", "12345", false,
         [](LocalOptions& o, const json& v) { o.stats.seed = seed_value(v); }},
       P{"fdr", ParamType::kBoolean, "Benjamini-Hochberg correction for Gi_Bin and COType", "",
         false, [](LocalOptions& o, const json& v) { o.stats.fdr = v.get<bool>(); }}},
      window_params<LocalOptions>(&LocalOptions::window, &LocalOptions::categories)),
      check_local};
  return table;
}

StepResult local_step(const StepContext& ctx, const LocalOptions& o, const std::string& layer,
                      LocalSummary* summary) {
  if (o.units_source == UnitsSource::kFile)
    throw InternalError("local_step: file units are not a step (they are run_local's own)");
  local_preflight(ctx.in, o);
  LocalSummary s;
  Timer timer;
  // The analysis' window (hotspot/window.hpp, the rules of kde and hotspot top): the units count
  // only its incidents.
  const Incidents* counted = &ctx.in.incidents;
  Incidents subset;
  if (o.window.any() || !o.categories.empty()) {
    const WindowSelection sel =
        select_window(*counted, o.window, select_categories(counted->categories, o.categories),
                      o.inputs.incidents.utc_offset_minutes);
    subset = incidents_subset(*counted, sel.index);
    s.incidents_not_in_window = static_cast<std::int64_t>(counted->size() - sel.index.size());
    counted = &subset;
  }
  Units u = o.units_source == UnitsSource::kGrid
                ? units_from_grid(ctx.in, *counted, o, s)
                : units_from_communes(ctx.in, *counted, o, ctx.threads, s);
  s.ingest = ctx.in.report;
  s.work_crs = ctx.in.work_crs.label();
  s.work_crs_reason = ctx.in.work_crs_reason;
  s.units = static_cast<std::int64_t>(u.value.size());
  s.timings.push_back({"units", timer.lap()});
  const std::string qml = analyse(u, o, ctx.threads, ctx.in.max_memory, ctx.w, layer, s, timer,
                                  ctx.distribution ? ctx.distribution->local_permutations : nullptr);
  Box extent;
  for (const auto& p : u.geometry.polygons) extent.expand(bounds(p));

  StepResult r;
  r.name = layer;
  r.layers = {{layer, s.units}};
  r.details = detail_lines(s);
  if (s.incidents_not_in_window >= 0)
    r.details.insert(r.details.begin(),
                     "window     " + std::to_string(counted->size()) + " incidents counted, " +
                         std::to_string(s.incidents_not_in_window) +
                         " left out by the window and categories");
  r.warnings = s.warnings;
  r.timings = s.timings;
  r.project = {{layer, layer, ctx.vector_source(layer), false, qml, extent, "", true, 1}};
  r.parameters = statistics_parameters(o, s);
  if (!s.isa.empty()) r.parameters["incremental_spatial_autocorrelation"] = isa_json(s);
  r.counts = statistics_counts(s);
  {
    // The project: significant Gi* cells of a grid on by default, the rest under Details.
    const bool gi = o.stats.stat != LocalStat::kLisa;
    const bool grid = o.units_source == UnitsSource::kGrid;
    const std::string where =
        grid ? grid_words(r.parameters.value("grid", std::string()), ctx.in.work_crs.planar())
        : o.units_source == UnitsSource::kCommunes ? "communes"
                                                   : "units";
    ProjectLayer& p = r.project.front();
    p.name = (gi ? "Hot and cold spots (Gi*, " : "Clusters and outliers (Local Moran, ") + where + ")" +
             (o.name.empty() ? "" : " — " + o.name);
    p.group = grid && gi ? "Hotspots" : "Details";
    p.visible = grid && gi;
  }
  if (!o.name.empty()) {  // what hotspot top --window NAME reads back from run_metadata
    r.parameters["name"] = o.name;
    if (o.stats.stat != LocalStat::kLisa) r.parameters["hotspot_layer"] = layer;
  }
  r.counts["global_moran"] = global_moran_json(s);
  r.seed = o.stats.permutations > 0 ? o.stats.seed : 0;
  if (summary) *summary = std::move(s);
  return r;
}

LocalSummary run_local(const LocalOptions& o) {
  if (o.out.empty()) throw UsageError("--out is required");
  if (o.units_source == UnitsSource::kGrid && o.inputs.incidents.path.empty())
    throw UsageError("--grid needs --incidents");
  if (o.units_source == UnitsSource::kCommunes &&
      (o.inputs.communes.path.empty() || o.inputs.incidents.path.empty()))
    throw UsageError("local on communes needs --communes and --incidents");
  std::vector<std::string> input_files = input_paths(o.inputs);
  input_files.push_back(o.units);
  refuse_overwriting_inputs(o.out, input_files);
  check_output_replaceable(o.out, o.inputs.overwrite);
  const int threads = resolve_threads(o.inputs.threads);

  LocalSummary s;
  if (o.units_source == UnitsSource::kFile) {
    // The units bring their own working CRS and no incidents, so this is no step: no rejected
    // rows, and no QGIS project (its layers are polygons; these units may be points).
    Timer timer;
    Units u = units_from_layer(o, s);
    s.work_crs = u.crs.label();
    s.units = static_cast<std::int64_t>(u.value.size());
    s.timings.push_back({"units", timer.lap()});
    GpkgWriter out(o.out, o.inputs.overwrite);
    analyse(u, o, threads, resolve_max_memory(o.inputs.max_memory), out, "local_stats", s, timer);
    write_run_metadata(
        out, u.crs,
        {{"parameters", command_parameters(o, s)},
         {"inputs",
          {{"units", input_json(o.units)}, {"incidents", nullptr}, {"communes", nullptr}}},
         {"versions", versions()},
         {"seed", o.stats.seed},
         {"counts", statistics_counts(s)},
         {"global_moran", global_moran_json(s)},
         {"incremental_spatial_autocorrelation", isa_json(s)},
         {"timings_s", timings_json(s.timings)},
         {"warnings", s.warnings}});
    out.commit();
    s.out = o.out;
    return s;
  }

  LoadedInputs in = load_inputs(o.inputs);
  GpkgWriter out(o.out, o.inputs.overwrite);
  const StepContext ctx{in, out, fs::path(o.out).filename().string(), threads, {}, {}};
  const StepResult step = local_step(ctx, o, "local_stats", &s);
  s.timings.insert(s.timings.begin(), in.timings.begin(), in.timings.end());
  s.warnings.insert(s.warnings.end(), s.ingest.warnings.begin(), s.ingest.warnings.end());
  RunSummary run;
  run.timings = s.timings;
  run.warnings = s.warnings;
  json counts = statistics_counts(s);
  counts["read"] = in.report.read;
  counts["accepted"] = in.report.accepted;
  counts["rejected"] = static_cast<std::int64_t>(in.report.rejected.size());
  json inputs = {{"units", nullptr},
                 {"incidents", input_json(o.inputs.incidents.path, in.incidents_sha256)},
                 {"communes", input_json(o.inputs.communes.path)}};
  record_parsed_incidents(inputs, in);  // the bytes parsed, as every other command records them
  finish_job(out, in, run, {step},
             {command_parameters(o, s),
              inputs,
              counts,
              o.stats.seed,
              "hotspot local",
              {{"global_moran", global_moran_json(s)},
               {"incremental_spatial_autocorrelation", isa_json(s)}}},
             o.inputs.incidents.utc_offset_minutes);
  s.out = o.out;
  return s;
}

}  // namespace hotspot
