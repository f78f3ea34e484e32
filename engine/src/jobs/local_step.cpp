// hotspot local: units (a layer, the communes or a generated grid) -> weights -> Gi* / Local
// Moran -> permutations -> FDR -> GeoPackage. Communes and grids are a step (local_step) on the
// loaded inputs; a units layer brings its own working CRS and stays run_local's own path.
#include "hotspot/local.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "aggregate/grid.hpp"
#include "crs/transform.hpp"
#include "geom/geos.hpp"
#include "hotspot/aggregate.hpp"
#include "hotspot/error.hpp"
#include "io/gpkg_writer.hpp"
#include "io/styles.hpp"
#include "io/units.hpp"
#include "jobs/load.hpp"
#include "jobs/outputs.hpp"
#include "jobs/steps.hpp"
#include "stats/local_stats.hpp"
#include "util/parallel.hpp"
#include "util/timer.hpp"
#include "weights/weights.hpp"

namespace hotspot {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct WeightsSpec {
  enum class Kind { None, Queen, Rook, Knn, Band } kind = Kind::None;
  int k = 0;
  double band = 0;
};

double parse_number(const std::string& text, const std::string& option) {
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(v) || v <= 0)
    throw UsageError(option + ": '" + text + "' is not a positive number");
  return v;
}

WeightsSpec parse_weights(const std::string& s) {
  WeightsSpec w;
  if (s.empty()) return w;
  if (s == "queen")
    w.kind = WeightsSpec::Kind::Queen;
  else if (s == "rook")
    w.kind = WeightsSpec::Kind::Rook;
  else if (s.rfind("knn:", 0) == 0) {
    double k = parse_number(s.substr(4), "--weights knn:K");
    if (k != std::floor(k) || k > 1000)
      throw UsageError("--weights knn:K: K must be a whole number 1..1000 (got " + s.substr(4) +
                       ")");
    w.kind = WeightsSpec::Kind::Knn, w.k = static_cast<int>(k);
  } else if (s.rfind("band:", 0) == 0) {
    w.kind = WeightsSpec::Kind::Band, w.band = parse_number(s.substr(5), "--weights band:D");
  } else {
    throw UsageError("--weights '" + s + "': expected queen, rook, knn:K or band:D");
  }
  return w;
}

// The analysis units, whatever they came from, in the working CRS.
struct Units {
  bool points = false;
  std::vector<MultiPolygon> polygons;
  std::vector<XY> xy;  // points, or polygon centroids
  std::vector<double> value;
  std::vector<std::string> label;  // for messages: fid or cell id
  std::vector<UnitAttribute> attributes;
  Crs crs;
};

Crs units_work_crs(const LocalOptions& o, const UnitLayer& u, std::string* reason) {
  if (!o.inputs.work_crs.empty()) {
    Crs c = parse_crs(o.inputs.work_crs, "--work-crs");
    if (c.geographic())
      throw UsageError("--work-crs " + o.inputs.work_crs +
                       " is geographic; distances are never computed in degrees");
    if (!c.planar() && !c.metres)
      throw UsageError("--work-crs " + o.inputs.work_crs + " does not use metres");
    if (c.planar() != u.source_crs.planar())
      throw CrsError("planar data cannot be mixed with georeferenced data (--work-crs)");
    *reason = "given with --work-crs";
    return c;
  }
  if (u.source_crs.planar()) {
    *reason = "the units are planar";
    return u.source_crs;
  }
  if (u.source_crs.metres) {
    *reason = "the units' CRS, already projected in metres";
    return u.source_crs;
  }
  std::vector<XY> pts = u.points ? u.xy : centroids(u.polygons);
  std::vector<double> xs, ys;
  for (auto p : pts) xs.push_back(p.x), ys.push_back(p.y);
  std::nth_element(xs.begin(), xs.begin() + static_cast<std::ptrdiff_t>(xs.size() / 2), xs.end());
  std::nth_element(ys.begin(), ys.begin() + static_cast<std::ptrdiff_t>(ys.size() / 2), ys.end());
  Crs wgs = parse_crs("EPSG:4326", "WGS 84");
  double lon = xs[xs.size() / 2], lat = ys[ys.size() / 2];
  if (!u.source_crs.geographic()) Transformer(u.source_crs, wgs).transform(1, &lon, &lat);
  *reason = "UTM zone of the units' median position";
  return utm_crs_for(lon, lat);
}

Units units_from_layer(const LocalOptions& o, LocalSummary& s, std::string* reason) {
  UnitOptions uo{o.units, o.units_layer, o.units_crs, o.x_field, o.y_field, o.field};
  UnitLayer u = read_units(uo);
  s.units_dropped = u.dropped;
  Units out;
  out.crs = units_work_crs(o, u, reason);
  Transformer t(u.source_crs, out.crs);
  auto project = [&](std::vector<XY>& pts, std::size_t i) {
    std::vector<double> xs(pts.size()), ys(pts.size());
    for (std::size_t k = 0; k < pts.size(); ++k) xs[k] = pts[k].x, ys[k] = pts[k].y;
    if (t.transform(pts.size(), xs.data(), ys.data()) > 0)
      throw CrsError("unit fid " + std::to_string(u.fid[i]) + " cannot be projected from " +
                     u.source_crs.label() + " to " + out.crs.label() + " (is --units-crs right?)");
    for (std::size_t k = 0; k < pts.size(); ++k) pts[k] = {xs[k], ys[k]};
  };
  out.points = u.points;
  if (u.points) {
    out.xy = u.xy;
    if (!t.identity()) project(out.xy, 0);
  } else {
    out.polygons = std::move(u.polygons);
    if (!t.identity())
      for (std::size_t i = 0; i < out.polygons.size(); ++i)
        for (auto& p : out.polygons[i]) {
          project(p.shell, i);
          for (auto& h : p.holes) project(h, i);
        }
    out.xy = centroids(out.polygons);
  }
  out.value = std::move(u.value);
  for (auto f : u.fid) out.label.push_back("fid " + std::to_string(f));
  out.attributes = std::move(u.attributes);
  s.units_kind = u.points ? "points" : "polygons";
  s.value_field = o.field;
  return out;
}

Units units_from_grid(const LoadedInputs& in, const LocalOptions& o, LocalSummary& s) {
  if (in.work_crs.planar() && o.grid != "auto")
    s.warnings.push_back("planar data: the grid size is in data units");
  GridSpec spec;  // auto: hexagons, sized from the data below
  if (o.grid != "auto") spec = parse_grid_spec(o.grid, "--grid (or auto)");
  std::vector<XY> pts(in.incidents.size());
  for (std::size_t i = 0; i < pts.size(); ++i) pts[i] = {in.incidents.x[i], in.incidents.y[i]};
  if (pts.size() < 3)
    throw InputError("grid: needs incidents (" + std::to_string(pts.size()) + " accepted)");
  MultiPolygon area = study_area(in.communes.geom, pts);
  if (o.grid == "auto") {
    Geos geos;
    spec.size_m = auto_cell_size(geos.area(geos.from(area).get()), pts.size(), spec.shape);
  }
  CellGrid g = make_grid(area, spec, in.incidents.x, in.incidents.y, in.incidents.weight);
  s.cell_size_m = spec.size_m;
  s.incidents_outside = g.outside;
  s.units_kind = spec.shape == CellShape::Hex ? "hex grid" : "square grid";
  s.value_field = in.incidents.weight.empty() ? "incidents" : "incidents (sum of weights)";
  if (g.cells.size() < 3)
    throw InputError("grid: only " + std::to_string(g.cells.size()) +
                     " cells in the study area; use a smaller size");
  Units u;
  u.crs = in.work_crs;
  u.polygons = std::move(g.cells);
  u.xy = std::move(g.centroid);
  u.value = g.count;
  for (double c : g.count) s.incidents_counted += static_cast<std::int64_t>(c);
  UnitAttribute id{"cell_id", UnitAttribute::Type::Text, {}, {}},
      cnt{"incidents", UnitAttribute::Type::Real, {}, {}};
  UnitAttribute clip{"clipped", UnitAttribute::Type::Integer, {}, {}};
  char buf[64];
  for (std::size_t i = 0; i < u.value.size(); ++i) {
    std::snprintf(buf, sizeof buf, "r%lld_c%lld", static_cast<long long>(g.row[i]),
                  static_cast<long long>(g.col[i]));
    id.values.emplace_back(buf), id.null.push_back(0);
    std::snprintf(buf, sizeof buf, "%.17g", g.count[i]);
    cnt.values.emplace_back(buf), cnt.null.push_back(0);
    clip.values.emplace_back(g.clipped[i] ? "1" : "0"), clip.null.push_back(0);
    u.label.push_back(id.values.back());
  }
  u.attributes = {id, cnt, clip};
  return u;
}

// The loaded communes, valued by their incidents as aggregate counts them (point in polygon; a
// weight field is not used): the count, or the count per km² or per 1,000 residents.
Units units_from_communes(const LoadedInputs& in, const LocalOptions& o, int threads,
                          LocalSummary& s) {
  const PolygonLayer& communes = in.communes;
  if (communes.size() == 0)
    throw UsageError("local on communes: no communes were loaded; give --communes");
  if (communes.size() < 3)
    throw InputError("local on communes: needs at least 3 communes (" +
                     std::to_string(communes.size()) + " loaded)");
  if (o.value == "per_1000" && communes.population.empty())
    throw UsageError(
        "local on communes: value per_1000 needs the communes' population field "
        "(--population-field)");
  const Assignment a = assign_incidents(in.incidents, communes, PolygonLayer{}, threads);
  const CommuneStats cs = commune_stats(in.incidents, communes, a);
  Units u;
  u.crs = in.work_crs;
  u.polygons = communes.geom;
  u.xy = centroids(u.polygons);
  const std::vector<double>* rate = o.value == "per_km2"    ? &cs.per_km2
                                    : o.value == "per_1000" ? &cs.per_1000
                                                            : nullptr;
  UnitAttribute id{"commune_id", UnitAttribute::Type::Text, {}, {}},
      name{"name", UnitAttribute::Type::Text, {}, {}},
      cnt{"incidents", UnitAttribute::Type::Integer, {}, {}},
      val{o.value, UnitAttribute::Type::Real, {}, {}};
  char buf[64];
  for (std::size_t c = 0; c < communes.size(); ++c) {
    const double v = rate ? (*rate)[c] : static_cast<double>(cs.count[c]);
    if (!std::isfinite(v))
      throw InputError("local on communes: commune '" + communes.id[c] + "' has no " + o.value +
                       (o.value == "per_1000" ? " (population missing or 0)" : " (area 0)"));
    u.value.push_back(v);
    u.label.push_back("commune " + communes.id[c]);
    id.values.push_back(communes.id[c]), id.null.push_back(0);
    name.values.push_back(communes.name[c]), name.null.push_back(0);
    cnt.values.push_back(std::to_string(cs.count[c])), cnt.null.push_back(0);
    std::snprintf(buf, sizeof buf, "%.17g", v);
    val.values.emplace_back(buf), val.null.push_back(0);
    s.incidents_counted += cs.count[c];
  }
  u.attributes = {id, name, cnt};
  if (rate) u.attributes.push_back(val);
  s.incidents_outside = a.outside_communes;
  s.units_kind = "communes";
  s.value_field = rate ? "incidents " + o.value : "incidents";
  return u;
}

// Incremental spatial autocorrelation: Global Moran z of the counts over increasing bands
// (row-standardised), starting where every cell has a neighbour and stepping by one cell. The
// first peak wins (the first band counts when z falls after it); without one, the largest z.
double isa_band(const Units& u, double cell, LocalSummary& s) {
  const double d0 = max_nearest_distance(u.xy) * (1 + 1e-9);
  double best_d = d0, best_z = -INFINITY;
  std::vector<double> z;
  for (int k = 0; k < 10; ++k) {
    double d = d0 + k * cell;
    GlobalMoran g = global_moran(u.value, row_standardised(band_weights(u.xy, d)));
    s.isa.push_back({d, g.z});
    z.push_back(g.z);
    if (g.z > best_z) best_z = g.z, best_d = d;
    // A peak at k - 1: higher than the band before it (or the first band) and not lower than the
    // next.
    if (k >= 1 &&
        (k == 1 || z[static_cast<std::size_t>(k - 1)] > z[static_cast<std::size_t>(k - 2)]) &&
        z[static_cast<std::size_t>(k - 1)] >= z[static_cast<std::size_t>(k)])
      return s.isa[static_cast<std::size_t>(k - 1)].first;
  }
  s.warnings.push_back(
      "--grid auto: no peak of Global Moran z over 10 bands; used the band with the largest z");
  return best_d;
}

std::string fmt(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// Weights -> Gi* / Local Moran -> permutations -> FDR -> `layer` with its styles. Fills the
// weights, statistics and inference parts of s and times them; returns the default style (QML).
std::string analyse(const Units& u, const LocalOptions& o, int threads, GpkgWriter& out,
                    const std::string& layer, LocalSummary& s, Timer& timer) {
  const bool want_gi = o.stat != "lisa", want_lisa = o.stat != "gi";
  WeightsSpec ws = parse_weights(o.weights);

  // Weights.
  const std::string unit_word = u.crs.planar() ? " data units" : " m";
  SpatialWeights w;
  if (ws.kind == WeightsSpec::Kind::None) {  // --grid auto
    ws.kind = WeightsSpec::Kind::Band;
    ws.band = isa_band(u, s.cell_size_m, s);
    s.weights = "distance band " + fmt(ws.band) + unit_word +
                " (first peak of incremental spatial autocorrelation)";
  }
  switch (ws.kind) {
    case WeightsSpec::Kind::Queen:
    case WeightsSpec::Kind::Rook: {
      if (u.points)
        throw UsageError("--weights " + o.weights +
                         " needs polygons; use knn:K or band:D for points");
      Box b;
      for (const auto& p : u.polygons) b.expand(bounds(p));
      double diag = std::hypot(b.xmax - b.xmin, b.ymax - b.ymin);
      s.snap = o.snap >= 0 ? o.snap : u.crs.planar() ? 1e-7 * diag : 0.5;
      w = contiguity_weights(
          u.polygons, ws.kind == WeightsSpec::Kind::Queen ? Contiguity::Queen : Contiguity::Rook,
          s.snap);
      s.weights = std::string(ws.kind == WeightsSpec::Kind::Queen ? "queen" : "rook") +
                  " contiguity (snap " + fmt(s.snap) + unit_word + ")";
      break;
    }
    case WeightsSpec::Kind::Knn:
      w = knn_weights(u.xy, ws.k);
      s.weights =
          std::to_string(ws.k) + " nearest neighbours" + (u.points ? "" : " (polygon centroids)");
      break;
    case WeightsSpec::Kind::Band:
      w = band_weights(u.xy, ws.band);
      s.band = ws.band;
      if (s.weights.empty())
        s.weights =
            "distance band " + fmt(ws.band) + unit_word + (u.points ? "" : " (polygon centroids)");
      break;
    case WeightsSpec::Kind::None:
      break;
  }
  for (auto i : w.islands()) s.islands.push_back(u.label[static_cast<std::size_t>(i)]);
  s.islands_policy = o.islands;
  if (!s.islands.empty()) {
    if (o.islands == "nearest") {
      attach_islands(w, u.xy);
      s.warnings.push_back(std::to_string(s.islands.size()) +
                           " island(s) attached to their nearest unit (--islands nearest)");
    } else {
      s.warnings.push_back(std::to_string(s.islands.size()) +
                           " island(s) without neighbours: their statistics are null "
                           "(--islands nearest attaches them)");
    }
  }
  if (o.inverse_distance > 0) {
    apply_inverse_distance(w, u.xy, o.inverse_distance);
    s.weights += ", inverse distance d^-" + fmt(o.inverse_distance);
  }
  s.links = static_cast<std::int64_t>(w.index.size());
  s.mean_neighbours = static_cast<double>(s.links) / static_cast<double>(w.size());
  const SpatialWeights w_gi = with_self(w, 1.0);
  const SpatialWeights w_row = row_standardised(w);
  s.weights += "; Gi*: " + std::string(o.inverse_distance > 0 ? "" : "binary ") +
               "weights including the unit itself (self weight 1)" +
               "; Local Moran: row-standardised";
  s.timings.push_back({"weights", timer.lap()});

  // Statistics.
  GiStar gi;
  LocalMoran lm;
  if (want_gi) gi = getis_ord_gi_star(u.value, w_gi);
  if (want_lisa) lm = local_moran(u.value, w_row);
  if (w.islands().size() < w.size()) {
    GlobalMoran g = global_moran(u.value, w_row);
    s.has_global = true;
    s.moran_I = g.I, s.moran_E = g.E, s.moran_V = g.V, s.moran_z = g.z, s.moran_p = g.p;
  }
  s.timings.push_back({"statistics", timer.lap()});
  s.permutations = o.permutations;
  s.seed = o.seed;
  s.fdr = o.fdr;
  std::vector<double> gi_p = gi.p, lm_p = lm.p;
  if (o.permutations > 0) {
    PermutationResult pr =
        permutation_pvalues(u.value, want_gi ? &w_gi : nullptr, want_lisa ? &w_row : nullptr,
                            o.permutations, o.seed, threads);
    if (want_gi) gi_p = pr.gi_p;
    if (want_lisa) lm_p = pr.lisa_p;
    s.timings.push_back({"permutations", timer.lap()});
  }
  // Islands under --islands keep: null everywhere, whatever the statistic would say.
  std::vector<double> gi_q = gi_p, lm_q = lm_p;
  if (o.fdr) {
    gi_q = bh_adjust(gi_p), lm_q = bh_adjust(lm_p);
    if (o.permutations > 0) {
      const double n = static_cast<double>(u.value.size()), floor_p = 1.0 / (o.permutations + 1);
      if (floor_p * n > 0.05)
        s.warnings.push_back("--fdr with " + std::to_string(o.permutations) +
                             " permutations: the smallest pseudo p is " + fmt(floor_p) +
                             ", so at " + std::to_string(u.value.size()) +
                             " units a unit can pass Benjamini-Hochberg at 95 % only if at least " +
                             std::to_string(static_cast<long long>(std::ceil(floor_p * n / 0.05))) +
                             " units are as extreme; use --permutations " +
                             std::to_string(static_cast<long long>(std::ceil(n / 0.05)) - 1) +
                             " or more");
    }
  }
  const std::size_t n = u.value.size();
  std::vector<int> bins(n, 0);
  std::vector<std::string> cotype(n);
  std::map<int, std::int64_t> bin_count;
  std::map<std::string, std::int64_t> co_count;
  for (std::size_t i = 0; i < n; ++i) {
    if (want_gi) ++bin_count[bins[i] = gi_bin(gi.z[i], gi_q[i])];
    if (want_lisa) {
      if (!std::isnan(lm_q[i]) && lm_q[i] < 0.05)
        cotype[i] = std::string(lm.z[i] > 0 ? "H" : "L") + (lm.lag_z[i] > 0 ? "H" : "L");
      ++co_count[cotype[i]];
    }
  }
  const char* bin_labels[] = {"cold 99%", "cold 95%", "cold 90%", "not significant",
                              "hot 90%",  "hot 95%",  "hot 99%"};
  if (want_gi)
    for (int b = 3; b >= -3; --b) s.gi_bins.push_back({bin_labels[b + 3], bin_count[b]});
  if (want_lisa)
    for (const char* c : {"HH", "HL", "LH", "LL", ""})
      s.cotypes.push_back({*c ? c : "not significant", co_count[c]});

  // Output.
  std::vector<FieldDef> fields;
  std::set<std::string> ours = {"NNeighbors", "GiZScore",  "GiPValue",     "GiPValueFDR",
                                "Gi_Bin",     "LMiIndex",  "LMiExpected",  "LMiVariance",
                                "LMiZScore",  "LMiPValue", "LMiPValueFDR", "COType"};
  for (const auto& a : u.attributes) {
    std::string name = ours.count(a.name) || a.name == "fid" ? "src_" + a.name : a.name;
    fields.push_back({name, a.type == UnitAttribute::Type::Integer ? FieldType::Integer
                            : a.type == UnitAttribute::Type::Real  ? FieldType::Real
                                                                   : FieldType::Text});
  }
  const int base = static_cast<int>(fields.size());
  fields.push_back({"NNeighbors", FieldType::Integer});
  int f_gi = -1, f_lm = -1;
  if (want_gi) {
    f_gi = static_cast<int>(fields.size());
    for (const char* f : {"GiZScore", "GiPValue", "GiPValueFDR", "Gi_Bin"})
      if (o.fdr || std::string(f) != "GiPValueFDR")
        fields.push_back({f, std::string(f) == "Gi_Bin" ? FieldType::Integer : FieldType::Real});
  }
  if (want_lisa) {
    f_lm = static_cast<int>(fields.size());
    for (const char* f : {"LMiIndex", "LMiExpected", "LMiVariance", "LMiZScore", "LMiPValue",
                          "LMiPValueFDR", "COType"})
      if (o.fdr || std::string(f) != "LMiPValueFDR")
        fields.push_back({f, std::string(f) == "COType" ? FieldType::Text : FieldType::Real});
  }
  LayerWriter& L = out.begin_layer(
      layer, u.points ? GeometryType::kPoint : GeometryType::kMultiPolygon, u.crs, fields,
      "Local statistics (Getis-Ord Gi*, Local Moran's I) per unit; weights: " + s.weights);
  for (std::size_t i = 0; i < n; ++i) {
    if (u.points)
      L.set_point(u.xy[i]);
    else
      L.set_geometry(u.polygons[i]);
    for (std::size_t a = 0; a < u.attributes.size(); ++a) {
      const auto& at = u.attributes[a];
      const int f = static_cast<int>(a);
      if (at.null[i]) continue;
      const std::string& v = at.values[i];
      if (at.type == UnitAttribute::Type::Integer)
        L.set(f, static_cast<std::int64_t>(std::strtoll(v.c_str(), nullptr, 10)));
      else if (at.type == UnitAttribute::Type::Real)
        L.set(f, std::strtod(v.c_str(), nullptr));
      else
        L.set(f, std::string_view(v));
    }
    L.set(base, static_cast<std::int64_t>(w.cardinality(i)));
    if (want_gi) {
      int f = f_gi;
      L.set(f++, gi.z[i]);
      L.set(f++, gi_p[i]);
      if (o.fdr) L.set(f++, gi_q[i]);
      if (!std::isnan(gi.z[i])) L.set(f, static_cast<std::int64_t>(bins[i]));
    }
    if (want_lisa) {
      int f = f_lm;
      L.set(f++, lm.I[i]);
      L.set(f++, lm.E[i]);
      L.set(f++, lm.V[i]);
      L.set(f++, lm.Z[i]);
      L.set(f++, lm_p[i]);
      if (o.fdr) L.set(f++, lm_q[i]);
      L.set(f, std::string_view(cotype[i]));
    }
    L.insert();
  }
  if (want_gi) out.add_style(layer, "Gi* hot and cold spots (Gi_Bin)", gi_bin_qml(u.points), true);
  if (want_lisa)
    out.add_style(layer, "Local Moran clusters and outliers (COType)", cotype_qml(u.points),
                  !want_gi);
  s.timings.push_back({"write", timer.lap()});
  return want_gi ? gi_bin_qml(u.points) : cotype_qml(u.points);
}

// The resolved parameters of the statistics, as run_metadata records them.
json statistics_parameters(const LocalOptions& o, const LocalSummary& s) {
  json p = {{"units_source", o.units_source},
            {"grid", o.grid},
            {"cell_size", s.cell_size_m},
            {"stat", o.stat},
            {"weights", o.weights.empty() ? "auto" : o.weights},
            {"weights_description", s.weights},
            {"snap", s.snap},
            {"band", s.band},
            {"inverse_distance_power", o.inverse_distance},
            {"islands", o.islands},
            {"permutations", o.permutations},
            {"fdr", o.fdr},
            {"significance", {{"gi_bin", "p < 0.10 / 0.05 / 0.01"}, {"cotype", "p < 0.05"}}}};
  if (o.units_source == "communes") p["value"] = o.value;
  return p;
}

json statistics_counts(const LocalSummary& s) {
  return {{"units", s.units},
          {"units_dropped", s.units_dropped},
          {"links", s.links},
          {"islands", s.islands},
          {"incidents_counted", s.incidents_counted},
          {"incidents_outside", s.incidents_outside}};
}

json global_moran_json(const LocalSummary& s) {
  if (!s.has_global) return nullptr;
  return {{"I", s.moran_I}, {"E", s.moran_E}, {"V", s.moran_V},
          {"z", s.moran_z}, {"p", s.moran_p}, {"weights", "row-standardised"}};
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

// What the statistics found, one line each: the part of format_local_summary between the
// incidents and the working CRS.
std::vector<std::string> detail_lines(const LocalSummary& s) {
  std::vector<std::string> out;
  char buf[512];
  auto line = [&](const char* f, auto... args) {
    std::snprintf(buf, sizeof buf, f, args...);
    out.emplace_back(buf);
  };
  line("units      %lld %s, value %s%s", static_cast<long long>(s.units), s.units_kind.c_str(),
       s.value_field.c_str(),
       s.units_dropped.empty() ? ""
                               : (", dropped " + std::to_string(s.units_dropped.size())).c_str());
  for (const auto& d : s.units_dropped) line("  dropped %s", d.c_str());
  if (s.cell_size_m > 0) line("cell size  %g", s.cell_size_m);
  for (auto [d, z] : s.isa)
    line("  incremental spatial autocorrelation: band %-10g Moran z %.3f%s", d, z,
         d == s.band ? "  <- used" : "");
  line("weights    %s", s.weights.c_str());
  line("           %lld links, %.2f neighbours on average", static_cast<long long>(s.links),
       s.mean_neighbours);
  if (s.islands.empty()) {
    line("islands    none");
  } else {
    std::string ids;
    for (std::size_t k = 0; k < s.islands.size() && k < 20; ++k)
      ids += (k ? ", " : "") + s.islands[k];
    if (s.islands.size() > 20) ids += ", ...";
    line("islands    %zu (%s): %s", s.islands.size(), s.islands_policy.c_str(), ids.c_str());
  }
  if (s.has_global)
    line("Global Moran's I %.6f (E %.6f, Var %.6g, z %.3f, p %.3g; randomisation)", s.moran_I,
         s.moran_E, s.moran_V, s.moran_z, s.moran_p);
  if (s.permutations > 0)
    line("inference  %d conditional permutations, seed %llu, folded pseudo p%s", s.permutations,
         static_cast<unsigned long long>(s.seed), s.fdr ? ", Benjamini-Hochberg FDR" : "");
  else
    line("inference  analytic (normal) p-values%s", s.fdr ? ", Benjamini-Hochberg FDR" : "");
  if (!s.gi_bins.empty()) {
    std::string t;
    for (const auto& [k, v] : s.gi_bins) t += (t.empty() ? "" : ", ") + k + " " + std::to_string(v);
    line("Gi_Bin     %s", t.c_str());
  }
  if (!s.cotypes.empty()) {
    std::string t;
    for (const auto& [k, v] : s.cotypes) t += (t.empty() ? "" : ", ") + k + " " + std::to_string(v);
    line("COType     %s", t.c_str());
  }
  return out;
}

}  // namespace

void check_local_options(const LocalOptions& o) {
  const std::string& source = o.units_source;
  if (source == "file" || source == "grid") {
    const bool given =
        source == "file" ? !o.units.empty() && o.grid.empty() : !o.grid.empty() && o.units.empty();
    if (!given) throw UsageError("give either --units (with --field) or --grid (with --incidents)");
    if (source == "grid" && o.grid != "auto") parse_grid_spec(o.grid, "--grid (or auto)");
  } else if (source == "communes") {
    if (!o.units.empty() || !o.grid.empty())
      throw UsageError("local on communes takes neither --units nor --grid");
  } else {
    throw UsageError("units source '" + source + "': expected file, communes or grid");
  }
  if (o.value != "count" && o.value != "per_km2" && o.value != "per_1000")
    throw UsageError("value '" + o.value + "': expected count, per_km2 or per_1000");
  if (o.value != "count" && source != "communes")
    throw UsageError("value " + o.value + " applies to commune units only");
  if (o.stat != "gi" && o.stat != "lisa" && o.stat != "both")
    throw UsageError("--stat '" + o.stat + "': expected gi, lisa or both");
  if (o.islands != "keep" && o.islands != "nearest")
    throw UsageError("--islands '" + o.islands + "': expected keep or nearest");
  if (o.permutations < 0) throw UsageError("--permutations must be >= 0");
  if (o.inverse_distance < 0) throw UsageError("--inverse-distance must be > 0");
  const WeightsSpec ws = parse_weights(o.weights);
  if (ws.kind == WeightsSpec::Kind::None && !(source == "grid" && o.grid == "auto"))
    throw UsageError("--weights is required (queen, rook, knn:K or band:D)");
  if (o.inverse_distance > 0 &&
      (ws.kind == WeightsSpec::Kind::Queen || ws.kind == WeightsSpec::Kind::Rook))
    throw UsageError("--inverse-distance applies to knn:K and band:D weights");
}

StepResult local_step(const StepContext& ctx, const LocalOptions& o, const std::string& layer,
                      LocalSummary* summary) {
  if (o.units_source != "communes" && o.units_source != "grid")
    throw InternalError("local_step: units_source '" + o.units_source +
                        "' is not a step (file units are run_local's own)");
  LocalSummary s;
  Timer timer;
  Units u = o.units_source == "grid" ? units_from_grid(ctx.in, o, s)
                                     : units_from_communes(ctx.in, o, ctx.threads, s);
  s.ingest = ctx.in.report;
  s.work_crs = ctx.in.work_crs.label();
  s.work_crs_reason = ctx.in.work_crs_reason;
  s.units = static_cast<std::int64_t>(u.value.size());
  s.timings.push_back({"units", timer.lap()});
  const std::string qml = analyse(u, o, ctx.threads, ctx.w, layer, s, timer);
  Box extent;
  for (const auto& p : u.polygons) extent.expand(bounds(p));

  StepResult r;
  r.name = layer;
  r.layers = {{layer, s.units}};
  r.details = detail_lines(s);
  r.warnings = s.warnings;
  r.timings = s.timings;
  r.project = {{layer, layer, ctx.vector_source(layer), false, qml, extent}};
  r.parameters = statistics_parameters(o, s);
  if (!s.isa.empty()) r.parameters["incremental_spatial_autocorrelation"] = isa_json(s);
  r.counts = statistics_counts(s);
  r.counts["global_moran"] = global_moran_json(s);
  r.seed = o.permutations > 0 ? o.seed : 0;
  if (summary) *summary = std::move(s);
  return r;
}

LocalSummary run_local(const LocalOptions& o) {
  if (o.out.empty()) throw UsageError("--out is required");
  check_local_options(o);
  if (o.units_source == "grid" && o.inputs.incidents.path.empty())
    throw UsageError("--grid needs --incidents");
  if (o.units_source == "communes" &&
      (o.inputs.communes.path.empty() || o.inputs.incidents.path.empty()))
    throw UsageError("local on communes needs --communes and --incidents");
  std::vector<std::string> input_files = input_paths(o.inputs);
  input_files.push_back(o.units);
  refuse_overwriting_inputs(o.out, input_files);
  const int threads = resolve_threads(o.inputs.threads);

  LocalSummary s;
  if (o.units_source == "file") {
    // The units bring their own working CRS and no incidents, so this is no step: no rejected
    // rows, and no QGIS project (its layers are polygons; these units may be points).
    Timer timer;
    Units u = units_from_layer(o, s, &s.work_crs_reason);
    s.work_crs = u.crs.label();
    s.units = static_cast<std::int64_t>(u.value.size());
    s.timings.push_back({"units", timer.lap()});
    GpkgWriter out(o.out);
    analyse(u, o, threads, out, "local_stats", s, timer);
    write_run_metadata(
        out, u.crs,
        {{"parameters", command_parameters(o, s)},
         {"inputs",
          {{"units", input_json(o.units)}, {"incidents", nullptr}, {"communes", nullptr}}},
         {"versions", versions()},
         {"seed", o.seed},
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
  GpkgWriter out(o.out);
  const StepContext ctx{in, out, fs::path(o.out).filename().string(), threads, {}};
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
  const json inputs = {{"units", nullptr},
                       {"incidents", input_json(o.inputs.incidents.path)},
                       {"communes", input_json(o.inputs.communes.path)}};
  finish_job(out, in, run, {step},
             {command_parameters(o, s),
              inputs,
              counts,
              o.seed,
              "hotspot local",
              {{"global_moran", global_moran_json(s)},
               {"incremental_spatial_autocorrelation", isa_json(s)}}},
             o.inputs.incidents.utc_offset_minutes);
  s.out = o.out;
  return s;
}

std::string format_local_summary(const LocalSummary& s) {
  std::string out;
  char buf[512];
  auto line = [&](const char* f, auto... args) {
    std::snprintf(buf, sizeof buf, f, args...);
    out += buf;
    out += '\n';
  };
  if (s.ingest.read > 0)
    line(
        "incidents  read %lld = accepted %lld + rejected %zu; counted %lld, outside the study area "
        "%lld",
        static_cast<long long>(s.ingest.read), static_cast<long long>(s.ingest.accepted),
        s.ingest.rejected.size(), static_cast<long long>(s.incidents_counted),
        static_cast<long long>(s.incidents_outside));
  for (const auto& d : detail_lines(s)) out += d + '\n';
  line("work CRS   %s (%s)", s.work_crs.c_str(), s.work_crs_reason.c_str());
  double total = 0;
  std::string steps;
  for (const auto& t : s.timings) {
    total += t.seconds;
    std::snprintf(buf, sizeof buf, "%s%s %.2fs", steps.empty() ? "" : ", ", t.step.c_str(),
                  t.seconds);
    steps += buf;
  }
  line("time       %.2fs (%s)", total, steps.c_str());
  for (const auto& w : s.warnings) line("warning: %s", w.c_str());
  if (!s.out.empty())
    line("wrote      %s (local_stats %lld)", s.out.c_str(), static_cast<long long>(s.units));
  return out;
}

}  // namespace hotspot
