// Kernel density splatting: points × support cells per second, per kernel, and the brute-force
// twin for scale. Synthetic uniform points over a 10 × 10 km square, 10 m cells.
#include <benchmark/benchmark.h>

#include <random>

#include "density/splat_isa.hpp"
#include "hotspot/density.hpp"

namespace {

struct Data {
  std::vector<double> x, y;
};

const Data& points(std::size_t n) {
  static Data d;
  if (d.x.size() != n) {
    std::mt19937_64 rng(1);
    std::uniform_real_distribution<double> u(0, 10000);
    d.x.resize(n);
    d.y.resize(n);
    for (std::size_t i = 0; i < n; ++i) d.x[i] = u(rng), d.y[i] = u(rng);
  }
  return d;
}

// state.range(0): kernel; range(1): incidents; range(2): threads. Bandwidth 500 m (Gaussian σ = 100
// m, so both touch a 500 m disc).
void BM_Kde(benchmark::State& state) {
  const auto kernel = static_cast<hotspot::Kernel>(state.range(0));
  const Data& d = points(static_cast<std::size_t>(state.range(1)));
  const hotspot::Grid g = hotspot::grid_for_extent({0, 0, 10000, 10000}, 10);
  hotspot::KdeOptions o;
  o.kernel = kernel;
  o.bandwidth_m = kernel == hotspot::Kernel::kGaussian ? 100 : 500;
  o.threads = static_cast<int>(state.range(2));
  for (auto _ : state) benchmark::DoNotOptimize(hotspot::kde(d.x, d.y, {}, g, {}, o).values.data());
  const double cells = 3.14159 * 50 * 50;
  state.counters["point_cells/s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * static_cast<double>(d.x.size()) * cells,
      benchmark::Counter::kIsRate);
  state.SetLabel(hotspot::kernel_name(kernel));
}
BENCHMARK(BM_Kde)
    ->ArgsProduct({{0, 1, 2, 3, 4, 5}, {50000}, {1}})
    ->Args({0, 50000, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The quartic at each vector width the CPU has: state.range(0) is a SplatIsa (1 AVX-512,
// 2 AVX2, 3 SSE2). The raster is the same at every width (the tests check it); only the time
// differs.
void BM_KdeWidth(benchmark::State& state) {
  const auto isa = static_cast<hotspot::SplatIsa>(state.range(0));
  if (!hotspot::cpu_has(isa)) {
    state.SkipWithError("this CPU lacks that vector width");
    return;
  }
  const Data& d = points(50000);
  const hotspot::Grid g = hotspot::grid_for_extent({0, 0, 10000, 10000}, 10);
  hotspot::KdeOptions o;
  o.bandwidth_m = 500;
  o.threads = 1;
  for (auto _ : state)
    benchmark::DoNotOptimize(hotspot::kde_with_isa(d.x, d.y, {}, g, {}, o, isa).values.data());
  state.counters["point_cells/s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * static_cast<double>(d.x.size()) * 3.14159 * 50 * 50,
      benchmark::Counter::kIsRate);
  state.SetLabel(isa == hotspot::SplatIsa::kAvx512 ? "avx512"
                 : isa == hotspot::SplatIsa::kAvx2 ? "avx2"
                                                   : "sse2");
}
BENCHMARK(BM_KdeWidth)->DenseRange(1, 3)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_KdeBruteForce(benchmark::State& state) {
  const Data& d = points(2000);
  const hotspot::Grid g = hotspot::grid_for_extent({0, 0, 2000, 2000}, 20);
  hotspot::KdeOptions o;
  o.bandwidth_m = 500;
  for (auto _ : state)
    benchmark::DoNotOptimize(hotspot::kde_brute_force(d.x, d.y, {}, g, {}, o).data());
}
BENCHMARK(BM_KdeBruteForce)->Unit(benchmark::kMillisecond);

void BM_KdeTiledSameInput(benchmark::State& state) {
  const Data& d = points(2000);
  const hotspot::Grid g = hotspot::grid_for_extent({0, 0, 2000, 2000}, 20);
  hotspot::KdeOptions o;
  o.bandwidth_m = 500;
  o.threads = 1;
  for (auto _ : state) benchmark::DoNotOptimize(hotspot::kde(d.x, d.y, {}, g, {}, o).values.data());
}
BENCHMARK(BM_KdeTiledSameInput)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
