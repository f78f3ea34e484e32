// hotspot evaluate, the grid: squares on the lattice of integer multiples of the cell size,
// clipped to the study area, and the cell of each incident.
#include <cmath>

#include "aggregate/grid.hpp"
#include "geom/geos.hpp"
#include "hotspot/error.hpp"
#include "hotspot/evaluate.hpp"
#include "util/text.hpp"

namespace hotspot {

EvalGrid make_eval_grid(const MultiPolygon& area, double c, std::int64_t max_cells) {
  if (!(c > 0) || !std::isfinite(c))
    throw ParameterError("cell", "must be a number of metres > 0 (got " + metres_text(c) + ")");
  const Box box = bounds(area);
  if (box.empty()) throw InputError("evaluate: the study area (the communes' union) is empty");
  EvalGrid g;
  g.cell_m = c;
  const double fi0 = std::floor(box.xmin / c), fi1 = std::floor(box.xmax / c);
  const double fj0 = std::floor(box.ymin / c), fj1 = std::floor(box.ymax / c);
  const double lattice = (fi1 - fi0 + 1) * (fj1 - fj0 + 1);
  // Refused before any allocation: a 1 m cell over a province is a resource bomb, not a grid.
  if (!(lattice <= static_cast<double>(max_cells)))
    throw ParameterError("cell", std::to_string(c) + " m gives " +
                                     std::to_string(static_cast<long long>(lattice)) +
                                     " lattice cells over the study area (at most " +
                                     std::to_string(max_cells) + "); use a larger cell");
  g.i0 = static_cast<std::int64_t>(fi0), g.j0 = static_cast<std::int64_t>(fj0);
  g.ni = static_cast<std::int64_t>(fi1 - fi0) + 1, g.nj = static_cast<std::int64_t>(fj1 - fj0) + 1;
  g.slot.assign(static_cast<std::size_t>(g.ni * g.nj), -1);
  Geos geos;
  Geom area_g = geos.from(area);
  Prepared prep(geos.ctx(), area_g.get());
  for (std::int64_t j = g.j0; j < g.j0 + g.nj; ++j)
    for (std::int64_t i = g.i0; i < g.i0 + g.ni; ++i) {
      const double x0 = static_cast<double>(i) * c, y0 = static_cast<double>(j) * c;
      const double x1 = static_cast<double>(i + 1) * c, y1 = static_cast<double>(j + 1) * c;
      MultiPolygon cell{{Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}, {}}};
      Geom cg = geos.from(cell);
      char clipped = 0;
      double a = c * c;
      if (!prep.contains(cg.get())) {
        if (!prep.intersects(cg.get())) continue;
        Geom part = geos.intersection(area_g.get(), cg.get());
        a = geos.area(part.get());
        if (!(a > 0)) continue;  // touches the area along an edge or at a corner only
        cell = geos.to_multipolygon(part.get());
        clipped = 1;
      }
      g.slot[static_cast<std::size_t>((j - g.j0) * g.ni + (i - g.i0))] =
          static_cast<std::int32_t>(g.i.size());
      g.i.push_back(i), g.j.push_back(j), g.area_m2.push_back(a), g.clipped.push_back(clipped);
      g.geom.push_back(std::move(cell));
      g.study_area_m2 += a;
    }
  if (g.i.empty()) throw InputError("evaluate: no cell of the grid has area inside the study area");
  return g;
}

std::vector<std::int32_t> locate_cells(const EvalGrid& g, const std::vector<double>& x,
                                       const std::vector<double>& y) {
  std::vector<std::int32_t> out(x.size(), -1);
  for (std::size_t k = 0; k < x.size(); ++k) {
    const double fi = std::floor(x[k] / g.cell_m), fj = std::floor(y[k] / g.cell_m);
    if (!std::isfinite(fi) || !std::isfinite(fj)) continue;
    const double di = fi - static_cast<double>(g.i0), dj = fj - static_cast<double>(g.j0);
    if (di < 0 || dj < 0 || di >= static_cast<double>(g.ni) || dj >= static_cast<double>(g.nj))
      continue;
    const std::int32_t s =
        g.slot[static_cast<std::size_t>(static_cast<std::int64_t>(dj) * g.ni + static_cast<std::int64_t>(di))];
    if (s < 0) continue;
    if (g.clipped[static_cast<std::size_t>(s)] && !point_in(g.geom[static_cast<std::size_t>(s)], {x[k], y[k]}))
      continue;
    out[k] = s;
  }
  return out;
}

}  // namespace hotspot
