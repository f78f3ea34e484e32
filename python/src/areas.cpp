// hs.aggregate: incidents counted into communes and industrial zones (hotspot/aggregate.hpp), as
// the aggregate step counts them.
#include <cmath>
#include <limits>
#include <optional>

#include "bind.hpp"
#include "hotspot/aggregate.hpp"
#include "hotspot/emerging.hpp"
#include "hotspot/ingest.hpp"

namespace hotspot::py_bind {
namespace {

PolygonLayer layer_of(const py::tuple& packed, const char* name) {
  PolygonLayer l;
  l.geom = unpack(packed[0].cast<F64>(), packed[1].cast<I64>(), packed[2].cast<I64>(),
                  packed[3].cast<I64>(), name);
  for (std::size_t i = 0; i < l.geom.size(); ++i) l.id.push_back(std::to_string(i)), l.name.emplace_back();
  l.read = static_cast<std::int64_t>(l.geom.size());
  return l;
}

py::tuple aggregate_(const F64& px, const F64& py_, const py::tuple& communes_packed,
                     const std::optional<F64>& population, const std::optional<py::tuple>& zones_packed,
                     double zone_buffer_m, int threads) {
  threads = threads_arg(threads);
  if (!(zone_buffer_m > 0) || !std::isfinite(zone_buffer_m))
    throw ParameterError("zone_buffer", "must be > 0 metres");
  Incidents inc;
  inc.x = column(px, "x");
  inc.y = column(py_, "y", px.shape(0));
  inc.time_utc.assign(inc.x.size(), kNoTime);
  inc.category.assign(inc.x.size(), Dictionary::kNone);
  PolygonLayer communes = layer_of(communes_packed, "communes");
  if (communes.size() == 0) throw InputError("communes holds no polygons");
  if (population)
    communes.population = column(*population, "population", static_cast<py::ssize_t>(communes.size()), "communes");
  PolygonLayer zones;
  if (zones_packed) zones = layer_of(*zones_packed, "zones");
  CommuneStats cs;
  ZoneStats zs;
  Assignment a;
  {
    py::gil_scoped_release nogil;
    a = assign_incidents(inc, communes, zones, threads);
    cs = commune_stats(inc, communes, a);
    if (zones.size() > 0) zs = zone_stats(inc, communes, zones, a, zone_buffer_m);
  }
  py::dict c;
  c["area_km2"] = to_numpy(std::move(cs.area_km2));
  c["incidents"] = to_numpy(std::move(cs.count));
  c["per_km2"] = to_numpy(std::move(cs.per_km2));
  c["per_1000"] = to_numpy(std::move(cs.per_1000));
  py::object z = py::none();
  if (zones.size() > 0) {
    py::dict d;
    std::vector<double> buffer(zones.size(), zone_buffer_m);
    d["area_ha"] = to_numpy(std::move(zs.area_ha));
    d["incidents_inside"] = to_numpy(std::move(zs.count_inside));
    d["per_ha"] = to_numpy(std::move(zs.per_ha));
    d["buffer_m"] = to_numpy(std::move(buffer));
    d["ring_area_ha"] = to_numpy(std::move(zs.ring_area_ha));
    d["incidents_ring"] = to_numpy(std::move(zs.count_ring));
    z = d;
  }
  std::vector<std::int64_t> commune_of(a.commune.begin(), a.commune.end());
  std::vector<std::int64_t> zone_of(a.zone.begin(), a.zone.end());
  return py::make_tuple(c, z, to_numpy(std::move(commune_of)), to_numpy(std::move(zone_of)),
                        a.outside_communes);
}

// The emerging layer's fields per cell (as the emerging step writes them) and the cube's per bin.
py::tuple emerging_(const F64& px, const F64& py_, const I64& pt, const std::optional<F64>& pw,
                    const std::string& grid, const std::string& time_step,
                    const std::optional<py::tuple>& communes_packed, double band_m, int neighbourhood_time,
                    double alpha, const std::string& utc_offset, int threads) {
  const GridSpec spec = parse_grid_spec(grid, "grid");
  EmergingOptions o;
  o.time_step = parse_time_step(time_step);
  if (!(band_m >= 0)) throw ParameterError("band", "must be >= 0 metres (0: 1.5 x the cell size)");
  o.band_m = band_m;
  if (neighbourhood_time < 0) throw ParameterError("neighbourhood_time", "must be >= 0");
  o.neighbourhood_time = neighbourhood_time;
  if (!(alpha > 0 && alpha < 1)) throw ParameterError("alpha", "must be between 0 and 1");
  o.alpha = alpha;
  o.utc_offset_minutes = parse_utc_offset(utc_offset, "utc_offset");
  o.threads = threads_arg(threads);
  const auto x = column(px, "x");
  const auto y = column(py_, "y", px.shape(0));
  const auto t = column(pt, "t", px.shape(0));
  std::vector<double> w;
  if (pw) w = column(*pw, "weights", px.shape(0));
  std::vector<MultiPolygon> communes;
  if (communes_packed) {
    const auto& c = *communes_packed;
    communes = unpack(c[0].cast<F64>(), c[1].cast<I64>(), c[2].cast<I64>(), c[3].cast<I64>(), "communes");
  }
  EmergingCells cells;
  EmergingResult e;
  {
    py::gil_scoped_release nogil;
    if (x.size() < 3) throw InputError("emerging: needs incidents (" + std::to_string(x.size()) + " given)");
    cells = emerging_cells(communes, spec, x, y);
    e = emerging(x, y, t, w, cells, o);
  }
  const std::size_t nc = e.cells, ns = e.steps;
  std::vector<std::int64_t> cell(nc), code(nc);
  std::vector<std::string> category(nc);
  std::vector<double> total(nc, 0), recent(nc), last_z(nc), last_p(nc), gt_z(nc), gt_p(nc), ct_z(nc), ct_p(nc);
  for (std::size_t c = 0; c < nc; ++c) {
    for (std::size_t k = 0; k < ns; ++k) total[c] += e.count[k * nc + c];
    const std::size_t last = (ns - 1) * nc + c;
    cell[c] = static_cast<std::int64_t>(c);
    category[c] = emerging_name(e.category[c]);
    code[c] = static_cast<std::int64_t>(e.category[c]);
    recent[c] = e.count[last], last_z[c] = e.gi_z[last], last_p[c] = e.gi_p[last];
    gt_z[c] = e.gi_trend[c].z, gt_p[c] = e.gi_trend[c].p_value;
    ct_z[c] = e.count_trend[c].z, ct_p[c] = e.count_trend[c].p_value;
  }
  py::dict d;
  d["cell"] = to_numpy(std::move(cell));
  d["category"] = py::cast(category);
  d["category_code"] = to_numpy(std::move(code));
  d["total"] = to_numpy(std::move(total));
  d["recent"] = to_numpy(std::move(recent));
  d["hot_steps"] = to_numpy(std::move(e.hot_steps));
  d["cold_steps"] = to_numpy(std::move(e.cold_steps));
  d["last_gi_z"] = to_numpy(std::move(last_z));
  d["last_gi_p"] = to_numpy(std::move(last_p));
  d["gi_trend_z"] = to_numpy(std::move(gt_z));
  d["gi_trend_p"] = to_numpy(std::move(gt_p));
  d["count_trend_z"] = to_numpy(std::move(ct_z));
  d["count_trend_p"] = to_numpy(std::move(ct_p));
  py::dict cube;
  cube["count"] = to_numpy(std::move(e.count));
  cube["gi_z"] = to_numpy(std::move(e.gi_z));
  cube["gi_p"] = to_numpy(std::move(e.gi_p));
  cube["step_start_utc"] = to_numpy(std::move(e.step_start_utc));
  return py::make_tuple(d, pack(cells.polygon), cube, e.band_m, e.outside, e.without_time);
}

py::tuple grid_cells(const F64& px, const F64& py_, const std::string& grid,
                     const std::optional<py::tuple>& communes_packed) {
  const GridSpec spec = parse_grid_spec(grid, "grid");
  const auto x = column(px, "x");
  const auto y = column(py_, "y", px.shape(0));
  std::vector<MultiPolygon> communes;
  if (communes_packed) {
    const auto& c = *communes_packed;
    communes = unpack(c[0].cast<F64>(), c[1].cast<I64>(), c[2].cast<I64>(), c[3].cast<I64>(), "communes");
  }
  EmergingCells cells;
  {
    py::gil_scoped_release nogil;
    cells = emerging_cells(communes, spec, x, y);
  }
  return pack(cells.polygon);
}

}  // namespace

void bind_areas(py::module_& m) {
  m.def("aggregate", &aggregate_, py::arg("x"), py::arg("y"), py::arg("communes"), py::arg("population"),
        py::arg("zones"), py::arg("zone_buffer_m"), py::arg("threads"));
  m.def("grid", &grid_cells, py::arg("x"), py::arg("y"), py::arg("grid"), py::arg("communes"));
  m.def("emerging", &emerging_, py::arg("x"), py::arg("y"), py::arg("t"), py::arg("weights"), py::arg("grid"),
        py::arg("time_step"), py::arg("communes"), py::arg("band_m"), py::arg("neighbourhood_time"),
        py::arg("alpha"), py::arg("utc_offset"), py::arg("threads"));
}

}  // namespace hotspot::py_bind
