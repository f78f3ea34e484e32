// PolygonIndex: build time, and locate() for 1M random points against ~2,000 polygons that tile
// a district-sized area the way Voronoi communes do (every edge shared by two neighbours).
//
// The polygons are a jittered grid of quads in metres: the grid's vertices are moved at random,
// and each cell edge can carry extra wiggling vertices (argument `extra`), stored once per edge
// so that both neighbours use exactly the same coordinates. extra = 0 gives ~5 vertices per ring,
// close to hotspot-datagen's communes (7.3 on average); extra = 8 shows how cost scales with
// detail. Points are uniform over the grid's extent plus a 2% margin, so a few fall outside.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "hotspot/geometry.hpp"
#include "index/polygon_index.hpp"
#include "tiling.hpp"

namespace {

using bench::make_tiling;
using bench::random_points;
using bench::Tiling;
using hotspot::XY;

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
