// Local statistics on a hexagon grid of incident counts: queen weights, Gi* + Local Moran
// (analytic), and both with 999 conditional permutations, at 12k and 100k cells.
#include <benchmark/benchmark.h>

#include <cmath>
#include <map>
#include <random>

#include "aggregate/grid.hpp"
#include "stats/local_stats.hpp"
#include "weights/weights.hpp"

namespace hotspot {
namespace {

struct Fixture {
  std::vector<MultiPolygon> cells;
  std::vector<double> x;
  SpatialWeights w, gi, lw;
};

// A square study area cut into about `cells` hexagons, with clustered counts.
const Fixture& fixture(std::int64_t cells) {
  static std::map<std::int64_t, Fixture> cache;
  auto it = cache.find(cells);
  if (it != cache.end()) return it->second;
  Fixture f;
  const double side = 10000,
               size = std::sqrt(side * side / (std::sqrt(3.0) / 2 * static_cast<double>(cells)));
  MultiPolygon area{{Ring{{0, 0}, {side, 0}, {side, side}, {0, side}, {0, 0}}, {}}};
  std::mt19937_64 rng(1);
  std::normal_distribution<double> hot(3000, 600);
  std::uniform_real_distribution<double> u(0, side);
  std::vector<double> xs, ys;
  for (std::int64_t i = 0; i < cells * 5; ++i) {
    bool h = i % 3 == 0;
    xs.push_back(h ? hot(rng) : u(rng)), ys.push_back(h ? hot(rng) : u(rng));
  }
  CellGrid g = make_grid(area, {CellShape::kHex, size}, xs, ys, {});
  f.cells = g.cells;
  f.x = g.count;
  f.w = contiguity_weights(f.cells, Contiguity::kQueen, 1e-6);
  f.gi = with_self(f.w, 1.0);
  f.lw = row_standardised(f.w);
  return cache.emplace(cells, std::move(f)).first->second;
}

void BM_QueenWeights(benchmark::State& st) {
  const auto& f = fixture(st.range(0));
  for (auto _ : st) benchmark::DoNotOptimize(contiguity_weights(f.cells, Contiguity::kQueen, 1e-6));
  st.counters["cells"] = static_cast<double>(f.cells.size());
}

void BM_GiAndLocalMoranAnalytic(benchmark::State& st) {
  const auto& f = fixture(st.range(0));
  for (auto _ : st) {
    benchmark::DoNotOptimize(getis_ord_gi_star(f.x, f.gi));
    benchmark::DoNotOptimize(local_moran(f.x, f.lw));
  }
  st.counters["cells"] = static_cast<double>(f.cells.size());
}

void BM_GiAndLocalMoran999Permutations(benchmark::State& st) {
  const auto& f = fixture(st.range(0));
  const int threads = static_cast<int>(st.range(1));
  for (auto _ : st) {
    benchmark::DoNotOptimize(getis_ord_gi_star(f.x, f.gi));
    benchmark::DoNotOptimize(local_moran(f.x, f.lw));
    benchmark::DoNotOptimize(permutation_pvalues(f.x, &f.gi, &f.lw, 999, 12345, threads));
  }
  st.counters["cells"] = static_cast<double>(f.cells.size());
}

BENCHMARK(BM_QueenWeights)->Arg(12000)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_GiAndLocalMoranAnalytic)->Arg(12000)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_GiAndLocalMoran999Permutations)
    ->Args({12000, 1})
    ->Args({12000, 2})
    ->Args({100000, 1})
    ->Args({100000, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(2);

}  // namespace
}  // namespace hotspot

BENCHMARK_MAIN();
