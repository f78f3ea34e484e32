#include "aggregate/grid.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>

#include "geom/geos.hpp"
#include "hotspot/error.hpp"
#include "util/text.hpp"
#include "weights/weights.hpp"

namespace hotspot {

namespace {

bool in_ring(const Ring& r, XY p) {
  bool in = false;
  for (std::size_t a = 0, b = r.size() - 1; a < r.size(); b = a++) {
    if ((r[a].y > p.y) != (r[b].y > p.y) &&
        p.x < (r[b].x - r[a].x) * (p.y - r[a].y) / (r[b].y - r[a].y) + r[a].x)
      in = !in;
  }
  return in;
}

double area_of(const MultiPolygon& mp) {
  auto ring = [](const Ring& r) {
    double a = 0;
    for (std::size_t k = 0; k + 1 < r.size(); ++k)
      a += (r[k].x - r[0].x) * (r[k + 1].y - r[0].y) - (r[k + 1].x - r[0].x) * (r[k].y - r[0].y);
    return std::fabs(a) / 2;
  };
  double a = 0;
  for (const auto& p : mp) {
    a += ring(p.shell);
    for (const auto& h : p.holes) a -= ring(h);
  }
  return a;
}

// Lattice of cell centres. Hexagons: row j at y0 + 3j·(R/2), column i at x0 + (2i + (j & 1))·(s/2);
// every vertex is computed from integer multiples of s/2 and R/2, so neighbouring cells share
// bit-identical vertices.
struct Lattice {
  CellShape shape;
  double s, R, x0, y0;
  std::int64_t nrow, ncol;

  XY centre(std::int64_t j, std::int64_t i) const {
    if (shape == CellShape::kSquare)
      return {x0 + (static_cast<double>(i) + 0.5) * s, y0 + (static_cast<double>(j) + 0.5) * s};
    return {x0 + static_cast<double>(2 * i + (j & 1)) * (s / 2),
            y0 + static_cast<double>(3 * j) * (R / 2)};
  }
  Ring ring(std::int64_t j, std::int64_t i) const {
    if (shape == CellShape::kSquare) {
      double xa = x0 + static_cast<double>(i) * s, xb = x0 + static_cast<double>(i + 1) * s;
      double ya = y0 + static_cast<double>(j) * s, yb = y0 + static_cast<double>(j + 1) * s;
      return {{xa, ya}, {xb, ya}, {xb, yb}, {xa, yb}, {xa, ya}};
    }
    const std::int64_t m = 2 * i + (j & 1), q = 3 * j;
    auto X = [&](std::int64_t k) { return x0 + static_cast<double>(k) * (s / 2); };
    auto Y = [&](std::int64_t k) { return y0 + static_cast<double>(k) * (R / 2); };
    return {{X(m), Y(q - 2)},     {X(m + 1), Y(q - 1)}, {X(m + 1), Y(q + 1)}, {X(m), Y(q + 2)},
            {X(m - 1), Y(q + 1)}, {X(m - 1), Y(q - 1)}, {X(m), Y(q - 2)}};
  }
  // The cell whose centre is nearest (ties: the lower row, then column). -1 when off the lattice.
  std::int64_t locate(XY p) const {
    std::int64_t bj = -1, bi = -1;
    if (shape == CellShape::kSquare) {
      bj = static_cast<std::int64_t>(std::floor((p.y - y0) / s));
      bi = static_cast<std::int64_t>(std::floor((p.x - x0) / s));
    } else {
      const double h = 1.5 * R;
      auto j0 = static_cast<std::int64_t>(std::floor((p.y - y0) / h));
      double best = INFINITY;
      for (std::int64_t j = j0; j <= j0 + 1; ++j) {
        auto i = static_cast<std::int64_t>(
            std::llround((p.x - x0 - static_cast<double>(j & 1) * (s / 2)) / s));
        for (std::int64_t ii = i - 1; ii <= i + 1; ++ii) {
          XY c = centre(j, ii);
          double d = (c.x - p.x) * (c.x - p.x) + (c.y - p.y) * (c.y - p.y);
          if (d < best) best = d, bj = j, bi = ii;
        }
      }
    }
    if (bj < 0 || bi < 0 || bj >= nrow || bi >= ncol) return -1;
    return bj * ncol + bi;
  }
};

}  // namespace

bool point_in(const MultiPolygon& mp, XY p) {
  for (const auto& poly : mp) {
    if (!in_ring(poly.shell, p)) continue;
    bool in_hole = false;
    for (const auto& h : poly.holes) in_hole |= in_ring(h, p);
    if (!in_hole) return true;
  }
  return false;
}

MultiPolygon study_area(const std::vector<MultiPolygon>& polygons, const std::vector<XY>& points,
                        double hull_margin) {
  Geos geos;
  if (!polygons.empty()) return geos.to_multipolygon(geos.union_all(polygons).get());
  Geom hull = geos.convex_hull(points);
  if (geos.to_multipolygon(hull.get()).empty())
    throw InputError(
        "grid: the incidents span no area (fewer than 3 distinct positions); give communes");
  if (hull_margin > 0) hull = geos.buffer(hull.get(), hull_margin);
  return geos.to_multipolygon(hull.get());
}

double auto_cell_size(double area_m2, std::size_t incidents, CellShape shape) {
  const double k = shape == CellShape::kHex ? std::sqrt(3.0) / 2 : 1.0;  // cell area = k·size²
  double size =
      std::sqrt(10.0 * area_m2 / (k * static_cast<double>(std::max<std::size_t>(incidents, 1))));
  double smallest = std::sqrt(area_m2 / (k * 100000.0)), largest = std::sqrt(area_m2 / (k * 100.0));
  return std::clamp(size, smallest, largest);
}

CellGrid make_grid(const MultiPolygon& area, const GridSpec& spec, const std::vector<double>& x,
                   const std::vector<double>& y, const std::vector<double>& weights) {
  if (!(spec.size_m > 0) || !std::isfinite(spec.size_m))
    throw ParameterError("grid", "cell size must be > 0 m (got " + metres_text(spec.size_m) + ")");
  Box box = bounds(area);
  Lattice L{spec.shape, spec.size_m, spec.size_m / std::sqrt(3.0), 0, 0, 0, 0};
  if (spec.shape == CellShape::kSquare) {
    L.x0 = box.xmin, L.y0 = box.ymin;
    L.ncol = static_cast<std::int64_t>(std::ceil((box.xmax - box.xmin) / L.s)) + 1;
    L.nrow = static_cast<std::int64_t>(std::ceil((box.ymax - box.ymin) / L.s)) + 1;
  } else {
    L.x0 = box.xmin - L.s, L.y0 = box.ymin - L.R;
    L.ncol = static_cast<std::int64_t>(std::ceil((box.xmax - L.x0) / L.s)) + 2;
    L.nrow = static_cast<std::int64_t>(std::ceil((box.ymax - L.y0) / (1.5 * L.R))) + 2;
  }
  const double lattice_cells = static_cast<double>(L.ncol) * static_cast<double>(L.nrow);
  // Refused before any cell is made (a fine grid over a province, or a world-sized extent).
  if (lattice_cells > kMaxGridCells) {
    char cells[32], extent[96];
    std::snprintf(cells, sizeof cells, "%.3g", lattice_cells);
    std::snprintf(extent, sizeof extent, "%.4g × %.4g km", (box.xmax - box.xmin) / 1000,
                  (box.ymax - box.ymin) / 1000);
    throw ParameterError(
        "grid", "cell size " + metres_text(spec.size_m) + " gives about " + cells +
                    " cells over the study area (" + extent + "); the limit is " +
                    std::to_string(static_cast<long long>(kMaxGridCells)) +
                    " cells. Use a larger size (at least " +
                    metres_text(std::ceil(spec.size_m * std::sqrt(lattice_cells / kMaxGridCells))) +
                    ") or a smaller study area");
  }
  Geos geos;
  Geom area_g = geos.from(area);
  Prepared prep(geos.ctx(), area_g.get());
  CellGrid g;
  g.study_area_m2 = area_of(area);
  const double cell_area =
      spec.shape == CellShape::kHex ? std::sqrt(3.0) / 2 * L.s * L.s : L.s * L.s;
  std::vector<std::int32_t> slot(static_cast<std::size_t>(L.nrow * L.ncol), -1);
  for (std::int64_t j = 0; j < L.nrow; ++j)
    for (std::int64_t i = 0; i < L.ncol; ++i) {
      Ring r = L.ring(j, i);
      Box cb;
      for (auto p : r) cb.expand(p);
      if (!cb.intersects(box)) continue;
      MultiPolygon cell{{r, {}}};
      Geom cg = geos.from(cell);
      char clipped = 0;
      if (!prep.contains(cg.get())) {
        if (!prep.intersects(cg.get())) continue;
        cell = geos.to_multipolygon(geos.intersection(area_g.get(), cg.get()).get());
        // Slivers along the boundary (under 1e-6 of a cell) are not analysis units.
        if (cell.empty() || area_of(cell) < 1e-6 * cell_area) continue;
        clipped = 1;
      }
      slot[static_cast<std::size_t>(j * L.ncol + i)] = static_cast<std::int32_t>(g.cells.size());
      g.cells.push_back(std::move(cell));
      g.row.push_back(j), g.col.push_back(i), g.clipped.push_back(clipped);
    }
  g.centroid = centroids(g.cells);
  g.count.assign(g.cells.size(), 0.0);
  for (std::size_t k = 0; k < x.size(); ++k) {
    XY p{x[k], y[k]};
    std::int64_t c = L.locate(p);
    std::int32_t s = c < 0 ? -1 : slot[static_cast<std::size_t>(c)];
    if (s < 0 || (g.clipped[static_cast<std::size_t>(s)] &&
                  !point_in(g.cells[static_cast<std::size_t>(s)], p))) {
      ++g.outside;
      continue;
    }
    g.count[static_cast<std::size_t>(s)] += weights.empty() ? 1.0 : weights[k];
  }
  return g;
}

}  // namespace hotspot

namespace hotspot {

GridSpec parse_grid_spec(const std::string& text, const std::string& parameter) {
  GridSpec spec;
  std::string size;
  if (text.rfind("hex:", 0) == 0) {
    spec.shape = CellShape::kHex, size = text.substr(4);
  } else if (text.rfind("square:", 0) == 0) {
    spec.shape = CellShape::kSquare, size = text.substr(7);
  } else {
    throw ParameterError(parameter,
                         "'" + text + "': expected hex:SIZE or square:SIZE, e.g. hex:250");
  }
  auto [end, ec] = std::from_chars(size.data(), size.data() + size.size(), spec.size_m);
  if (ec != std::errc() || end != size.data() + size.size() || !(spec.size_m > 0) ||
      !std::isfinite(spec.size_m))
    throw ParameterError(parameter, "'" + text + "': the cell size must be a number > 0");
  return spec;
}

std::string grid_spec_text(const GridSpec& spec) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, spec.size_m);
  return (spec.shape == CellShape::kHex ? "hex:" : "square:") +
         std::string(buf, ec == std::errc() ? end : buf);
}

}  // namespace hotspot
