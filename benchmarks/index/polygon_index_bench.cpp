// PolygonIndex: build time, and locate() for 1M random points against ~2,000 polygons that tile
// a district-sized area the way Voronoi communes do (every edge shared by two neighbours).
//
// The polygons are a jittered grid of quads in metres: the grid's vertices are moved at random,
// and each cell edge can carry extra wiggling vertices (argument `extra`), stored once per edge
// so that both neighbours use exactly the same coordinates. extra = 0 gives ~5 vertices per ring,
// close to hotspot-datagen's communes (7.3 on average); extra = 8 shows how cost scales with
// detail. Points are uniform over the grid's extent plus a 2% margin, so a few fall outside.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "hotspot/geometry.hpp"
#include "index/polygon_index.hpp"

namespace {

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
Tiling make_tiling(int nx, int ny, int extra, std::uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> jitter(-0.3 * kCell, 0.3 * kCell);
  std::uniform_real_distribution<double> wiggle(-0.08 * kCell, 0.08 * kCell);
  const auto vi = [&](int i, int j) { return static_cast<std::size_t>(j) * static_cast<std::size_t>(nx + 1) + static_cast<std::size_t>(i); };

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
  std::vector<std::vector<XY>> h_edges(static_cast<std::size_t>(nx) * static_cast<std::size_t>(ny + 1));
  std::vector<std::vector<XY>> v_edges(static_cast<std::size_t>(nx + 1) * static_cast<std::size_t>(ny));
  for (int j = 0; j <= ny; ++j)
    for (int i = 0; i < nx; ++i)
      h_edges[static_cast<std::size_t>(j) * static_cast<std::size_t>(nx) + static_cast<std::size_t>(i)] = edge_points(v[vi(i, j)], v[vi(i + 1, j)]);
  for (int j = 0; j < ny; ++j)
    for (int i = 0; i <= nx; ++i)
      v_edges[static_cast<std::size_t>(j) * static_cast<std::size_t>(nx + 1) + static_cast<std::size_t>(i)] = edge_points(v[vi(i, j)], v[vi(i, j + 1)]);
  const auto h = [&](int i, int j) -> const std::vector<XY>& { return h_edges[static_cast<std::size_t>(j) * static_cast<std::size_t>(nx) + static_cast<std::size_t>(i)]; };
  const auto ve = [&](int i, int j) -> const std::vector<XY>& { return v_edges[static_cast<std::size_t>(j) * static_cast<std::size_t>(nx + 1) + static_cast<std::size_t>(i)]; };

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

std::vector<XY> random_points(const hotspot::Box& b, std::size_t n, std::uint32_t seed) {
  const double mx = 0.02 * (b.xmax - b.xmin), my = 0.02 * (b.ymax - b.ymin);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> x(b.xmin - mx, b.xmax + mx), y(b.ymin - my, b.ymax + my);
  std::vector<XY> pts(n);
  for (auto& p : pts) p = {x(rng), y(rng)};
  return pts;
}

// 45 x 45 = 2,025 polygons.
constexpr int kGrid = 45;
constexpr std::size_t kPoints = 1'000'000;

void BM_PolygonIndexBuild(benchmark::State& state) {
  const Tiling t = make_tiling(kGrid, kGrid, static_cast<int>(state.range(0)), 1);
  for (auto _ : state) {
    hotspot::PolygonIndex idx(t.polygons);
    benchmark::DoNotOptimize(idx.size());
  }
  state.counters["polygons"] = static_cast<double>(t.polygons.size());
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(t.polygons.size()));
}

void BM_PolygonIndexLocate1M(benchmark::State& state) {
  const Tiling t = make_tiling(kGrid, kGrid, static_cast<int>(state.range(0)), 1);
  const hotspot::PolygonIndex idx(t.polygons);
  const std::vector<XY> pts = random_points(t.extent, kPoints, 2);
  std::int64_t found = 0;
  for (auto _ : state) {
    found = 0;
    for (XY p : pts) found += idx.locate(p) >= 0;
    benchmark::DoNotOptimize(found);
  }
  state.counters["polygons"] = static_cast<double>(t.polygons.size());
  state.counters["inside_pct"] = 100.0 * static_cast<double>(found) / static_cast<double>(kPoints);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kPoints));
}

}  // namespace

// Argument: extra vertices per shared edge (0 = quads, ~5 vertices per ring; 8 = ~37).
BENCHMARK(BM_PolygonIndexBuild)->ArgName("extra")->Arg(0)->Arg(8)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PolygonIndexLocate1M)->ArgName("extra")->Arg(0)->Arg(8)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
