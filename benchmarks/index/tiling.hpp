#pragma once
// Synthetic polygons for the index benchmarks: a jittered grid of quads that tile a rectangle the
// way Voronoi communes do (every inner edge shared by two neighbours, with the same coordinates),
// and uniform random points over it. Shared by polygon_index_bench and boost_geometry_bench.
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "hotspot/geometry.hpp"

namespace bench {

using hotspot::MultiPolygon;
using hotspot::Ring;
using hotspot::XY;

constexpr double kCell = 2500.0;  // metres: ~6.3 km2 per polygon, as in the generated district

struct Tiling {
  std::vector<MultiPolygon> polygons;
  hotspot::Box extent;
};

// nx * ny quads. Horizontal edge (i, j) runs from vertex (i, j) to (i + 1, j); vertical edge
// (i, j) from (i, j) to (i, j + 1). Each edge's interior vertices are listed in that direction.
inline Tiling make_tiling(int nx, int ny, int extra, std::uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> jitter(-0.3 * kCell, 0.3 * kCell);
  std::uniform_real_distribution<double> wiggle(-0.08 * kCell, 0.08 * kCell);
  const auto vi = [&](int i, int j) {
    return static_cast<std::size_t>(j) * static_cast<std::size_t>(nx + 1) +
           static_cast<std::size_t>(i);
  };

  std::vector<XY> v(static_cast<std::size_t>(nx + 1) * static_cast<std::size_t>(ny + 1));
  for (int j = 0; j <= ny; ++j)
    for (int i = 0; i <= nx; ++i) {
      // Border vertices stay on the border so the tiling stays a rectangle.
      double dx = (i == 0 || i == nx) ? 0 : jitter(rng), dy = (j == 0 || j == ny) ? 0 : jitter(rng);
      v[vi(i, j)] = {i * kCell + dx, j * kCell + dy};
    }
  auto edge_points = [&](XY a, XY b) {
    std::vector<XY> pts;
    for (int k = 1; k <= extra; ++k) {
      double t = static_cast<double>(k) / (extra + 1), w = wiggle(rng);
      double ex = b.x - a.x, ey = b.y - a.y, len = std::hypot(ex, ey);
      pts.push_back({a.x + t * ex - w * ey / len, a.y + t * ey + w * ex / len});
    }
    return pts;
  };
  std::vector<std::vector<XY>> h_edges(static_cast<std::size_t>(nx) *
                                       static_cast<std::size_t>(ny + 1));
  std::vector<std::vector<XY>> v_edges(static_cast<std::size_t>(nx + 1) *
                                       static_cast<std::size_t>(ny));
  for (int j = 0; j <= ny; ++j)
    for (int i = 0; i < nx; ++i)
      h_edges[static_cast<std::size_t>(j) * static_cast<std::size_t>(nx) +
              static_cast<std::size_t>(i)] = edge_points(v[vi(i, j)], v[vi(i + 1, j)]);
  for (int j = 0; j < ny; ++j)
    for (int i = 0; i <= nx; ++i)
      v_edges[static_cast<std::size_t>(j) * static_cast<std::size_t>(nx + 1) +
              static_cast<std::size_t>(i)] = edge_points(v[vi(i, j)], v[vi(i, j + 1)]);
  const auto h = [&](int i, int j) -> const std::vector<XY>& {
    return h_edges[static_cast<std::size_t>(j) * static_cast<std::size_t>(nx) +
                   static_cast<std::size_t>(i)];
  };
  const auto ve = [&](int i, int j) -> const std::vector<XY>& {
    return v_edges[static_cast<std::size_t>(j) * static_cast<std::size_t>(nx + 1) +
                   static_cast<std::size_t>(i)];
  };

  Tiling t;
  for (int j = 0; j < ny; ++j)
    for (int i = 0; i < nx; ++i) {
      Ring r;  // counter-clockwise: bottom, right, top reversed, left reversed
      r.push_back(v[vi(i, j)]);
      for (XY p : h(i, j)) r.push_back(p);
      r.push_back(v[vi(i + 1, j)]);
      for (XY p : ve(i + 1, j)) r.push_back(p);
      r.push_back(v[vi(i + 1, j + 1)]);
      for (auto it = h(i, j + 1).rbegin(); it != h(i, j + 1).rend(); ++it) r.push_back(*it);
      r.push_back(v[vi(i, j + 1)]);
      for (auto it = ve(i, j).rbegin(); it != ve(i, j).rend(); ++it) r.push_back(*it);
      r.push_back(r.front());
      for (XY p : r) t.extent.expand(p);
      t.polygons.push_back(MultiPolygon{hotspot::Polygon{std::move(r), {}}});
    }
  return t;
}

inline std::vector<XY> random_points(const hotspot::Box& b, std::size_t n, std::uint32_t seed) {
  const double mx = 0.02 * (b.xmax - b.xmin), my = 0.02 * (b.ymax - b.ymin);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> x(b.xmin - mx, b.xmax + mx), y(b.ymin - my, b.ymax + my);
  std::vector<XY> pts(n);
  for (auto& p : pts) p = {x(rng), y(rng)};
  return pts;
}

}  // namespace bench
