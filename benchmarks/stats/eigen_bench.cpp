// Eigen against the engine's own loops, on the same inputs (kernels):
//
// - the spatial lag W·x over our CSR weights (SpatialWeights, as getis_ord_gi_star and
//   local_moran compute it) against Eigen::SparseMatrix<double, RowMajor> * VectorXd, both for
//   binary weights with self (Gi*) and row-standardised ones (Local Moran); the matrix is built
//   from the CSR arrays once (timed separately: a copy, or a zero-copy Map with int offsets);
// - the permutation inner loop: summing x over k drawn indices, 999 draws per unit, with a plain
//   loop or an Eigen indexed view, on the same pre-drawn indices; and, for scale, the engine's
//   fused loop (UnitSampler::sums: draw + sum) on the same units;
// - a plain reduction (mean/variance style, as in bandwidth selection and check_values): a
//   sequential loop against VectorXd::sum().
//
// main() first prints whether the Eigen results are bit-identical to ours (the lag, Gi* z rebuilt
// from Eigen's lag against getis_ord_gi_star, the permutation sums, the reduction).
//
// Input: the hexagon grid of local_bench (a 10 km square, clustered counts), ~12k cells, queen.
#include <benchmark/benchmark.h>

#include <Eigen/Core>
#include <Eigen/SparseCore>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "aggregate/grid.hpp"
#include "stats/local_stats.hpp"
#include "weights/weights.hpp"

namespace hotspot {
namespace {

using SpMat = Eigen::SparseMatrix<double, Eigen::RowMajor>;
using SpMap = Eigen::Map<const SpMat>;

constexpr std::int64_t kCells = 12000;
constexpr std::size_t kPermUnits = 2000;  // units whose draws are stored (2000 x 999 x ~7 ints)
constexpr std::size_t kPerms = 999;
constexpr std::uint64_t kSeed = 12345;

struct Fixture {
  std::vector<double> x;
  SpatialWeights gi, lw;
  SpMat gi_m, lw_m;
  std::vector<int> gi_outer;  // int offsets for the zero-copy Map
  // Pre-drawn permutation indices of units [0, kPermUnits): unit u's draws start at draw_start[u],
  // kPerms blocks of k[u] indices each.
  std::vector<std::int32_t> draws;
  std::vector<std::size_t> draw_start, k;
};

SpMat to_eigen(const SpatialWeights& w) {
  const auto n = static_cast<Eigen::Index>(w.size());
  SpMat m(n, n);
  m.reserve(static_cast<Eigen::Index>(w.index.size()));
  std::vector<Eigen::Triplet<double>> t;
  t.reserve(w.index.size());
  for (std::size_t i = 0; i < w.size(); ++i)
    for (auto e = w.offset[i]; e < w.offset[i + 1]; ++e)
      t.emplace_back(static_cast<int>(i), w.index[static_cast<std::size_t>(e)],
                     w.weight[static_cast<std::size_t>(e)]);
  m.setFromTriplets(t.begin(), t.end());
  return m;
}

// The lag as getis_ord_gi_star and local_moran compute it (same loop, same order).
void lag_csr(const SpatialWeights& w, const std::vector<double>& x, std::vector<double>& y) {
  for (std::size_t i = 0; i < w.size(); ++i) {
    double s = 0;
    for (auto e = w.offset[i]; e < w.offset[i + 1]; ++e)
      s += w.weight[static_cast<std::size_t>(e)] *
           x[static_cast<std::size_t>(w.index[static_cast<std::size_t>(e)])];
    y[i] = s;
  }
}

const Fixture& fixture() {
  static const Fixture fx = [] {
    Fixture f;
    const double side = 10000,
                 size = std::sqrt(side * side / (std::sqrt(3.0) / 2 * static_cast<double>(kCells)));
    MultiPolygon area{{Ring{{0, 0}, {side, 0}, {side, side}, {0, side}, {0, 0}}, {}}};
    std::mt19937_64 rng(1);
    std::normal_distribution<double> hot(3000, 600);
    std::uniform_real_distribution<double> uniform(0, side);
    std::vector<double> xs, ys;
    for (std::int64_t i = 0; i < kCells * 5; ++i) {
      bool h = i % 3 == 0;
      xs.push_back(h ? hot(rng) : uniform(rng)), ys.push_back(h ? hot(rng) : uniform(rng));
    }
    CellGrid g = make_grid(area, {CellShape::kHex, size}, xs, ys, {});
    f.x = g.count;
    const SpatialWeights w = contiguity_weights(g.cells, Contiguity::kQueen, 1e-6);
    f.gi = with_self(w, 1.0);
    f.lw = row_standardised(w);
    f.gi_m = to_eigen(f.gi);
    f.lw_m = to_eigen(f.lw);
    f.gi_outer.assign(f.gi.offset.begin(), f.gi.offset.end());
    const std::size_t n = f.x.size();
    for (std::size_t u = 0; u < kPermUnits && u < n; ++u) {
      const std::size_t k = w.cardinality(u);
      f.k.push_back(k);
      f.draw_start.push_back(f.draws.size());
      f.draws.resize(f.draws.size() + kPerms * k);
      UnitSampler s(kSeed, u, n);
      for (std::size_t p = 0; p < kPerms; ++p) s.draw(k, f.draws.data() + f.draw_start[u] + p * k);
    }
    return f;
  }();
  return fx;
}

bool same_bits(const double* a, const double* b, std::size_t n) {
  return std::memcmp(a, b, n * sizeof(double)) == 0;
}

void print_checks() {
  const Fixture& f = fixture();
  const std::size_t n = f.x.size();
  std::printf(
      "%zu hexagons, queen: %zu entries with self (Gi*), %zu row-standardised (Local Moran)\n", n,
      f.gi.index.size(), f.lw.index.size());
  const Eigen::Map<const Eigen::VectorXd> xv(f.x.data(), static_cast<Eigen::Index>(n));
  std::vector<double> y(n);
  for (const auto* pair : {&f.gi, &f.lw}) {
    lag_csr(*pair, f.x, y);
    Eigen::VectorXd ye = (pair == &f.gi ? f.gi_m : f.lw_m) * xv;
    std::printf("lag W.x, %s: Eigen bit-identical to the CSR loop: %s\n",
                pair == &f.gi ? "Gi* (binary + self)" : "row-standardised",
                same_bits(y.data(), ye.data(), n) ? "yes" : "NO");
  }
  // Gi* z rebuilt from Eigen's lag with the engine's formula, against getis_ord_gi_star.
  const GiStar ref = getis_ord_gi_star(f.x, f.gi);
  Eigen::VectorXd lag = f.gi_m * xv;
  double xbar = 0, ss = 0;
  for (double v : f.x) xbar += v;
  xbar /= static_cast<double>(n);
  for (double v : f.x) ss += (v - xbar) * (v - xbar);
  const double nd = static_cast<double>(n), s2 = ss / nd;
  std::size_t differ = 0;
  for (std::size_t i = 0; i < n; ++i) {
    double W = 0, S1 = 0;
    for (auto e = f.gi.offset[i]; e < f.gi.offset[i + 1]; ++e) {
      double wij = f.gi.weight[static_cast<std::size_t>(e)];
      W += wij, S1 += wij * wij;
    }
    double z = (lag[static_cast<Eigen::Index>(i)] - W * xbar) /
               std::sqrt(s2 * ((nd * S1 - W * W) / (nd - 1)));
    differ += std::memcmp(&z, &ref.z[i], sizeof z) != 0;
  }
  std::printf("Gi* z from Eigen's lag differing in any bit from getis_ord_gi_star: %zu of %zu\n",
              differ, n);
  // Permutation sums: plain loop vs Eigen indexed view vs the engine's fused UnitSampler::sums.
  std::size_t perm_differ = 0, fused_differ = 0, total = 0;
  std::vector<double> fused(kPerms);
  for (std::size_t u = 0; u < f.k.size(); ++u) {
    const std::size_t k = f.k[u];
    if (k > 16) continue;
    UnitSampler s(kSeed, u, n);
    s.sums(kPerms, k, f.x.data(), fused.data());
    for (std::size_t p = 0; p < kPerms; ++p) {
      const std::int32_t* d = f.draws.data() + f.draw_start[u] + p * k;
      double a = 0;
      for (std::size_t q = 0; q < k; ++q) a += f.x[static_cast<std::size_t>(d[q])];
      double b = xv(Eigen::Map<const Eigen::VectorXi>(d, static_cast<Eigen::Index>(k))).sum();
      perm_differ += std::memcmp(&a, &b, sizeof a) != 0;
      fused_differ += std::memcmp(&a, &fused[p], sizeof a) != 0;
      ++total;
    }
  }
  std::printf(
      "permutation sums differing in any bit from the plain loop: Eigen %zu, engine's fused loop "
      "%zu, of %zu\n",
      perm_differ, fused_differ, total);
  // A plain reduction over 1M values.
  std::mt19937_64 rng(3);
  std::lognormal_distribution<double> d(0, 2);
  std::vector<double> v(1'000'000);
  for (auto& a : v) a = d(rng);
  double s = 0;
  for (double a : v) s += a;
  const double se =
      Eigen::Map<const Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size())).sum();
  std::printf("sum of 1M values: loop %.17g, Eigen %.17g (%s)\n\n", s, se,
              s == se ? "identical" : "differ");
}

void BM_LagCsr(benchmark::State& st) {
  const Fixture& f = fixture();
  const SpatialWeights& w = st.range(0) ? f.lw : f.gi;
  std::vector<double> y(f.x.size());
  for (auto _ : st) {
    lag_csr(w, f.x, y);
    benchmark::DoNotOptimize(y.data());
  }
  st.SetItemsProcessed(st.iterations() * static_cast<std::int64_t>(w.index.size()));
}

void BM_LagEigen(benchmark::State& st) {
  const Fixture& f = fixture();
  const SpMat& m = st.range(0) ? f.lw_m : f.gi_m;
  const Eigen::Map<const Eigen::VectorXd> xv(f.x.data(), static_cast<Eigen::Index>(f.x.size()));
  Eigen::VectorXd y(xv.size());
  for (auto _ : st) {
    y.noalias() = m * xv;
    benchmark::DoNotOptimize(y.data());
  }
  st.SetItemsProcessed(st.iterations() * static_cast<std::int64_t>(m.nonZeros()));
}

void BM_LagEigenMap(benchmark::State& st) {  // zero-copy view of our index/weight arrays
  const Fixture& f = fixture();
  const auto n = static_cast<Eigen::Index>(f.gi.size());
  const SpMap m(n, n, static_cast<Eigen::Index>(f.gi.index.size()), f.gi_outer.data(),
                f.gi.index.data(), f.gi.weight.data());
  const Eigen::Map<const Eigen::VectorXd> xv(f.x.data(), n);
  Eigen::VectorXd y(n);
  for (auto _ : st) {
    y.noalias() = m * xv;
    benchmark::DoNotOptimize(y.data());
  }
  st.SetItemsProcessed(st.iterations() * static_cast<std::int64_t>(f.gi.index.size()));
}

void BM_EigenFromCsr(benchmark::State& st) {  // the conversion a switch would add (triplets)
  const Fixture& f = fixture();
  for (auto _ : st) benchmark::DoNotOptimize(to_eigen(f.gi));
}

void BM_PermSumsLoop(benchmark::State& st) {
  const Fixture& f = fixture();
  for (auto _ : st) {
    double acc = 0;
    for (std::size_t u = 0; u < f.k.size(); ++u) {
      const std::size_t k = f.k[u];
      const std::int32_t* d = f.draws.data() + f.draw_start[u];
      for (std::size_t p = 0; p < kPerms; ++p, d += k) {
        double s = 0;
        for (std::size_t q = 0; q < k; ++q) s += f.x[static_cast<std::size_t>(d[q])];
        acc += s;
      }
    }
    benchmark::DoNotOptimize(acc);
  }
  st.SetItemsProcessed(st.iterations() * static_cast<std::int64_t>(f.k.size() * kPerms));
}

void BM_PermSumsEigen(benchmark::State& st) {
  const Fixture& f = fixture();
  const Eigen::Map<const Eigen::VectorXd> xv(f.x.data(), static_cast<Eigen::Index>(f.x.size()));
  for (auto _ : st) {
    double acc = 0;
    for (std::size_t u = 0; u < f.k.size(); ++u) {
      const auto k = static_cast<Eigen::Index>(f.k[u]);
      const std::int32_t* d = f.draws.data() + f.draw_start[u];
      for (std::size_t p = 0; p < kPerms; ++p, d += k)
        acc += xv(Eigen::Map<const Eigen::VectorXi>(d, k)).sum();
    }
    benchmark::DoNotOptimize(acc);
  }
  st.SetItemsProcessed(st.iterations() * static_cast<std::int64_t>(f.k.size() * kPerms));
}

void BM_PermSumsEngineFused(benchmark::State& st) {  // draw + sum, as permutation_pvalues runs it
  const Fixture& f = fixture();
  std::vector<double> out(kPerms);
  for (auto _ : st)
    for (std::size_t u = 0; u < f.k.size(); ++u) {
      if (f.k[u] > 16) continue;
      UnitSampler s(kSeed, u, f.x.size());
      s.sums(kPerms, f.k[u], f.x.data(), out.data());
      benchmark::DoNotOptimize(out.data());
    }
  st.SetItemsProcessed(st.iterations() * static_cast<std::int64_t>(f.k.size() * kPerms));
}

std::vector<double> reduction_input() {
  std::vector<double> v(1'000'000);
  std::mt19937_64 rng(3);
  std::lognormal_distribution<double> d(0, 2);
  for (auto& a : v) a = d(rng);
  return v;
}

void BM_SumLoop(benchmark::State& st) {
  const auto v = reduction_input();
  for (auto _ : st) {
    double s = 0;
    for (double a : v) s += a;
    benchmark::DoNotOptimize(s);
  }
}

void BM_SumEigen(benchmark::State& st) {
  const auto v = reduction_input();
  const Eigen::Map<const Eigen::VectorXd> m(v.data(), static_cast<Eigen::Index>(v.size()));
  for (auto _ : st) benchmark::DoNotOptimize(m.sum());
}

}  // namespace
}  // namespace hotspot

using namespace hotspot;
// Argument: 0 = Gi* weights (binary, self included), 1 = row-standardised (Local Moran).
BENCHMARK(BM_LagCsr)->ArgName("rowstd")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_LagEigen)->ArgName("rowstd")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_LagEigenMap)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_EigenFromCsr)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PermSumsLoop)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PermSumsEigen)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PermSumsEngineFused)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SumLoop)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SumEigen)->Unit(benchmark::kMicrosecond);

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  print_checks();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
