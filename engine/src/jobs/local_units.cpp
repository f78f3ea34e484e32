// hotspot local's units: a units file (its own working CRS), the loaded communes valued by their
// incidents, or a grid of incident counts over the study area.
#include "jobs/local_units.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "aggregate/grid.hpp"
#include "crs/transform.hpp"
#include "geom/geos.hpp"
#include "hotspot/aggregate.hpp"
#include "hotspot/error.hpp"
#include "io/units.hpp"

namespace hotspot {

namespace {

// GDAL's text of a units attribute as the column's type: done once, as the file is read.
UnitColumn column_of(UnitAttribute a) {
  UnitColumn c;
  c.name = std::move(a.name);
  c.null = std::move(a.null);
  switch (a.type) {
    case UnitAttribute::Type::kInteger:
      c.type = FieldType::kInteger;
      for (const auto& v : a.values) c.integer.push_back(std::strtoll(v.c_str(), nullptr, 10));
      break;
    case UnitAttribute::Type::kReal:
      c.type = FieldType::kReal;
      for (const auto& v : a.values) c.real.push_back(std::strtod(v.c_str(), nullptr));
      break;
    case UnitAttribute::Type::kText:
      c.type = FieldType::kText;
      c.text = std::move(a.values);
      break;
  }
  return c;
}

}  // namespace

Units units_from_layer(const LocalOptions& o, LocalSummary& s) {
  UnitOptions uo{o.units, o.units_layer, o.units_crs, o.x_field, o.y_field, o.field};
  UnitLayer u = read_units(uo);
  s.units_dropped = u.dropped;
  if (u.text_repaired > 0)
    s.warnings.push_back("units '" + o.units + "': " + std::to_string(u.text_repaired) +
                         " text values were not valid UTF-8; invalid bytes were replaced by "
                         "U+FFFD (is the .dbf in TCVN3 or another code page? give it a .cpg "
                         "file, or convert it to UTF-8)");
  Units out;
  out.crs = choose_work_crs(
      o.inputs.work_crs, {{&u.source_crs, "units"}},
      [&] {
        const std::vector<XY> pts = u.points ? u.xy : centroids(u.polygons);
        std::vector<double> xs, ys;
        for (auto p : pts) xs.push_back(p.x), ys.push_back(p.y);
        double lon = median(xs), lat = median(ys);
        if (!u.source_crs.geographic())
          Transformer(u.source_crs, parse_crs("EPSG:4326", "WGS 84")).transform(1, &lon, &lat);
        return XY{lon, lat};
      },
      "units'", &s.work_crs_reason);
  if (!o.inputs.work_crs.empty() && out.crs.planar() != u.source_crs.planar())
    throw CrsError("planar data cannot be mixed with georeferenced data (work_crs)");
  Transformer t(u.source_crs, out.crs);
  auto refuse = [&](std::size_t i) {
    return CrsError("unit fid " + std::to_string(u.fid[i]) + " cannot be projected from " +
                    u.source_crs.label() + " to " + out.crs.label() + " (is --units-crs right?)");
  };
  WeightUnits& g = out.geometry;
  g.points = u.points;
  g.planar = out.crs.planar();
  if (u.points) {
    g.xy = u.xy;
    if (!t.identity()) {
      std::vector<double> xs, ys;
      for (auto p : g.xy) xs.push_back(p.x), ys.push_back(p.y);
      if (t.transform(xs.size(), xs.data(), ys.data()) > 0) throw refuse(0);
      for (std::size_t k = 0; k < xs.size(); ++k) g.xy[k] = {xs[k], ys[k]};
    }
  } else {
    g.polygons = std::move(u.polygons);
    if (!t.identity()) {
      Geos geos;
      for (std::size_t i = 0; i < g.polygons.size(); ++i) {
        if (!transform_multipolygon(t, g.polygons[i])) throw refuse(i);
        // Valid in the source CRS is not valid in metres: repair again after projection.
        if (geos.revalidate(g.polygons[i]) && g.polygons[i].empty())
          throw InputError("unit fid " + std::to_string(u.fid[i]) +
                           " has no area left after repair in the working CRS " +
                           out.crs.label());
      }
    }
    g.xy = centroids(g.polygons);
  }
  out.value = std::move(u.value);
  for (auto f : u.fid) out.label.push_back("fid " + std::to_string(f));
  for (auto& a : u.attributes) out.attributes.push_back(column_of(std::move(a)));
  s.units_kind = u.points ? "points" : "polygons";
  s.value_field = o.field;
  return out;
}

Units units_from_grid(const LoadedInputs& in, const Incidents& counted, const LocalOptions& o,
                      LocalSummary& s) {
  if (in.work_crs.planar() && !o.grid_auto)
    s.warnings.push_back("planar data: the grid size is in data units");
  GridSpec spec = o.grid;  // auto: hexagons, sized from the data below
  if (o.grid_auto) spec = GridSpec{};
  std::vector<XY> pts(in.incidents.size());
  for (std::size_t i = 0; i < pts.size(); ++i) pts[i] = {in.incidents.x[i], in.incidents.y[i]};
  if (pts.size() < 3)
    throw InputError("grid: needs at least 3 incidents to place a grid (" +
                     std::to_string(pts.size()) + " accepted)");
  if (o.grid_auto) {  // sized on the communes or the hull itself
    Geos geos;
    const MultiPolygon plain = study_area(in.communes.geom, pts, 0);
    spec.size_m = auto_cell_size(geos.area(geos.from(plain).get()), pts.size(), spec.shape);
  }
  const MultiPolygon area = study_area(in.communes.geom, pts, spec.size_m / 2);
  if (counted.size() == 0)
    throw InputError("grid: no incident is left after the window and categories; nothing to count");
  CellGrid g = make_grid(area, spec, counted.x, counted.y, counted.weight);
  s.cell_size_m = spec.size_m;
  s.incidents_outside = g.outside;
  s.units_kind = spec.shape == CellShape::kHex ? "hex grid" : "square grid";
  s.value_field = counted.weight.empty() ? "incidents" : "incidents (sum of weights)";
  if (g.cells.size() < 3)
    throw InputError("grid: only " + std::to_string(g.cells.size()) +
                     " cells in the study area; use a smaller size");
  Units u;
  u.crs = in.work_crs;
  u.geometry.planar = in.work_crs.planar();
  u.geometry.polygons = std::move(g.cells);
  u.geometry.xy = std::move(g.centroid);
  u.value = g.count;
  for (double c : g.count) s.incidents_counted += static_cast<std::int64_t>(c);
  UnitColumn id{"cell_id", FieldType::kText, {}, {}, {}, {}},
      cnt{"incidents", FieldType::kReal, {}, {}, {}, {}},
      clip{"clipped", FieldType::kInteger, {}, {}, {}, {}};
  char buf[64];
  for (std::size_t i = 0; i < u.value.size(); ++i) {
    std::snprintf(buf, sizeof buf, "r%lld_c%lld", static_cast<long long>(g.row[i]),
                  static_cast<long long>(g.col[i]));
    id.text.emplace_back(buf), id.null.push_back(0);
    cnt.real.push_back(g.count[i]), cnt.null.push_back(0);
    clip.integer.push_back(g.clipped[i] ? 1 : 0), clip.null.push_back(0);
    u.label.push_back(id.text.back());
  }
  u.attributes = {id, cnt, clip};
  return u;
}

// The loaded communes, valued by their incidents as aggregate counts them (point in polygon; a
// weight field is not used): the count, or the count per km² or per 1,000 residents.
Units units_from_communes(const LoadedInputs& in, const Incidents& counted, const LocalOptions& o,
                          int threads, LocalSummary& s) {
  const PolygonLayer& communes = in.communes;
  const std::string value = unit_value_name(o.value);
  if (communes.size() == 0)
    throw UsageError("local on communes: no communes were loaded; give --communes");
  if (communes.size() < 3)
    throw InputError("local on communes: needs at least 3 communes (" +
                     std::to_string(communes.size()) + " loaded)");
  if (o.value == UnitValue::kPer1000 && communes.population.empty())
    throw UsageError(
        "local on communes: value per_1000 needs the communes' population field "
        "(--population-field)");
  const Assignment a = assign_incidents(counted, communes, PolygonLayer{}, threads);
  const CommuneStats cs = commune_stats(counted, communes, a);
  Units u;
  u.crs = in.work_crs;
  u.geometry.planar = in.work_crs.planar();
  u.geometry.polygons = communes.geom;
  u.geometry.xy = centroids(u.geometry.polygons);
  const std::vector<double>* rate = o.value == UnitValue::kPerKm2    ? &cs.per_km2
                                    : o.value == UnitValue::kPer1000 ? &cs.per_1000
                                                                     : nullptr;
  UnitColumn id{"commune_id", FieldType::kText, {}, {}, {}, {}},
      name{"name", FieldType::kText, {}, {}, {}, {}},
      cnt{"incidents", FieldType::kInteger, {}, {}, {}, {}},
      val{value, FieldType::kReal, {}, {}, {}, {}};
  for (std::size_t c = 0; c < communes.size(); ++c) {
    const double v = rate ? (*rate)[c] : static_cast<double>(cs.count[c]);
    if (!std::isfinite(v))
      throw InputError(
          "local on communes: commune '" + communes.id[c] + "' has no " + value +
          (o.value == UnitValue::kPer1000 ? " (population missing or 0)" : " (area 0)"));
    u.value.push_back(v);
    u.label.push_back("commune " + communes.id[c]);
    id.text.push_back(communes.id[c]), id.null.push_back(0);
    name.text.push_back(communes.name[c]), name.null.push_back(0);
    cnt.integer.push_back(cs.count[c]), cnt.null.push_back(0);
    val.real.push_back(v), val.null.push_back(0);
    s.incidents_counted += cs.count[c];
  }
  u.attributes = {id, name, cnt};
  if (rate) u.attributes.push_back(val);
  s.incidents_outside = a.outside_communes;
  s.units_kind = "communes";
  s.value_field = rate ? "incidents " + value : "incidents";
  return u;
}

Incidents incidents_subset(const Incidents& inc, const std::vector<std::size_t>& index) {
  Incidents out;
  out.categories = inc.categories;
  for (std::size_t i : index) {
    out.x.push_back(inc.x[i]), out.y.push_back(inc.y[i]);
    if (!inc.lon.empty()) out.lon.push_back(inc.lon[i]), out.lat.push_back(inc.lat[i]);
    out.time_utc.push_back(inc.time_utc[i]);
    out.category.push_back(inc.category[i]);
    if (!inc.line.empty()) out.line.push_back(inc.line[i]);
    if (!inc.weight.empty()) out.weight.push_back(inc.weight[i]);
    if (!inc.time_precision.empty()) out.time_precision.push_back(inc.time_precision[i]);
  }
  return out;
}

}  // namespace hotspot
