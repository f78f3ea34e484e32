// Google Benchmark kernels for clustering: DBSCAN on 1M points, HDBSCAN on 250k, ST-DBSCAN on 1M,
// on seeded synthetic incidents (hot spots over a uniform background, plus address stacks).
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "hotspot/cluster.hpp"

namespace {

struct Points {
  std::vector<double> x, y;
  std::vector<std::int64_t> t;
};

// 20 km x 20 km: 60% background, 35% in 300 Gaussian hot spots (sigma 80 m), 5% stacked on 2000
// addresses. Times spread over one year.
const Points& points(std::size_t n) {
  static std::vector<std::pair<std::size_t, Points>> cache;
  for (auto& [k, p] : cache)
    if (k == n) return p;
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> u(0, 20000);
  std::normal_distribution<double> g(0, 80);
  std::uniform_int_distribution<std::int64_t> tt(0, 365 * 86400);
  std::vector<double> hx(300), hy(300), ax(2000), ay(2000);
  for (std::size_t i = 0; i < 300; ++i) {
    hx[i] = u(rng);
    hy[i] = u(rng);
  }
  for (std::size_t i = 0; i < 2000; ++i) {
    ax[i] = u(rng);
    ay[i] = u(rng);
  }
  Points p;
  for (std::size_t i = 0; i < n; ++i) {
    const double r = static_cast<double>(i % 100);
    if (r < 60) {
      p.x.push_back(u(rng));
      p.y.push_back(u(rng));
    } else if (r < 95) {
      const std::size_t h = rng() % 300;
      p.x.push_back(hx[h] + g(rng));
      p.y.push_back(hy[h] + g(rng));
    } else {
      const std::size_t a = rng() % 2000;
      p.x.push_back(ax[a]);
      p.y.push_back(ay[a]);
    }
    p.t.push_back(1700000000 + tt(rng));
  }
  cache.emplace_back(n, std::move(p));
  return cache.back().second;
}

void BM_Dbscan(benchmark::State& state) {
  const Points& p = points(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    auto c = hotspot::dbscan(p.x, p.y, {50.0, 10, static_cast<int>(state.range(1))});
    benchmark::DoNotOptimize(c.label.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Dbscan)->Args({1000000, 1})->Args({1000000, 2})->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Hdbscan(benchmark::State& state) {
  const Points& p = points(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    hotspot::HdbscanOptions o;
    o.min_cluster_size = 25;
    o.threads = static_cast<int>(state.range(1));
    auto c = hotspot::hdbscan(p.x, p.y, o);
    benchmark::DoNotOptimize(c.label.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Hdbscan)->Args({250000, 2})->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

void BM_StDbscan(benchmark::State& state) {
  const Points& p = points(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    auto c = hotspot::st_dbscan(p.x, p.y, p.t, {50.0, 7 * 86400, 5, static_cast<int>(state.range(1))});
    benchmark::DoNotOptimize(c.label.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_StDbscan)->Args({1000000, 2})->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
