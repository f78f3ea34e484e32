// Local statistics against R spdep on spData (localG, localmoran, moran.test, p.adjust,
// localmoran_perm) and against brute-force oracles for the permutation machinery.
#include "stats/local_stats.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>

#include "hotspot/error.hpp"
#include "support/local_golden.hpp"

namespace hotspot {
namespace {

struct Case {
  std::string name;
  UnitLayer units;
  SpatialWeights nb;
  bool idw = false;
};

const double kSpdepSnap = 1.4901161193847656e-08;

std::vector<Case> cases() {
  static std::vector<Case> all;
  if (!all.empty()) return all;
  auto col = test::golden_units("columbus.geojson", "CRIME", "planar");
  auto ny = test::golden_units("ny8.gpkg", "Z", "");
  auto bal = test::golden_units("baltim.csv", "price", "planar");
  auto bos = test::golden_units("boston.csv", "cmedv", "planar");
  all.push_back(
      {"columbus_queen", col, contiguity_weights(col.polygons, Contiguity::kQueen, kSpdepSnap)});
  all.push_back(
      {"columbus_rook", col, contiguity_weights(col.polygons, Contiguity::kRook, kSpdepSnap)});
  all.push_back({"ny8_queen", ny, contiguity_weights(ny.polygons, Contiguity::kQueen, kSpdepSnap)});
  all.push_back({"ny8_rook", ny, contiguity_weights(ny.polygons, Contiguity::kRook, kSpdepSnap)});
  all.push_back({"baltim_band15", bal, band_weights(bal.xy, 15)});
  all.push_back({"baltim_band4_islands", bal, band_weights(bal.xy, 4)});
  all.push_back({"boston_knn6", bos, knn_weights(bos.xy, 6)});
  all.push_back({"boston_band3", bos, band_weights(bos.xy, 3)});
  auto idw = knn_weights(bos.xy, 6);
  apply_inverse_distance(idw, bos.xy, 1);
  all.push_back({"boston_knn6_idw", bos, idw, true});
  return all;
}

double rel(double a, double b) { return std::fabs(a - b) / std::max(1.0, std::fabs(b)); }

TEST(LocalStats, GiStarAndLocalMoranEqualSpdep) {
  const auto ref = test::read_reference();
  double worst_gi = 0, worst_lm = 0, worst_bh = 0;
  std::size_t compared = 0;
  for (const auto& c : cases()) {
    const auto& rows = ref.at(c.name);
    auto gi = getis_ord_gi_star(c.units.value, with_self(c.nb, 1.0));
    auto lm = local_moran(c.units.value, row_standardised(c.nb));
    auto bh = bh_adjust(lm.p);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto& r = rows[i];
      if (r.island) {
        EXPECT_TRUE(std::isnan(gi.z[i]) && std::isnan(lm.I[i]) && std::isnan(lm.Z[i]))
            << c.name << " island " << i;
        EXPECT_TRUE(std::isnan(bh[i]));
        continue;
      }
      ++compared;
      if (!c.idw) worst_gi = std::max(worst_gi, rel(gi.z[i], r.gi_z));
      for (auto [a, b] : {std::pair{lm.I[i], r.Ii},
                          {lm.E[i], r.EIi},
                          {lm.V[i], r.VarIi},
                          {lm.Z[i], r.ZIi},
                          {lm.p[i], r.p}})
        worst_lm = std::max(worst_lm, rel(a, b));
      worst_bh = std::max(worst_bh, rel(bh[i], r.p_bh));
    }
  }
  // R's CSV keeps 15 significant digits.
  EXPECT_LT(worst_gi, 1e-12);
  EXPECT_LT(worst_lm, 1e-12);
  EXPECT_LT(worst_bh, 1e-12);
  EXPECT_GT(compared, 2000u);
  RecordProperty("max_rel_diff_gi", std::to_string(worst_gi));
  RecordProperty("max_rel_diff_localmoran", std::to_string(worst_lm));
  std::printf("vs spdep: %zu units, max rel diff Gi* z %.2e, localmoran %.2e, BH %.2e\n", compared,
              worst_gi, worst_lm, worst_bh);
}

TEST(LocalStats, GlobalMoranEqualsMoranTest) {
  const auto ref = test::read_global();
  std::size_t compared = 0;
  for (const auto& c : cases()) {
    auto it = ref.find(c.name);
    if (it == ref.end()) continue;
    auto g = global_moran(c.units.value, row_standardised(c.nb));
    EXPECT_LT(rel(g.I, it->second.I), 1e-12) << c.name;
    EXPECT_LT(rel(g.E, it->second.E), 1e-12) << c.name;
    EXPECT_LT(rel(g.V, it->second.V), 1e-12) << c.name;
    EXPECT_LT(rel(g.z, it->second.z), 1e-12) << c.name;
    ++compared;
  }
  EXPECT_EQ(compared, 9u);  // every case, islands included (moran.test adjust.n = FALSE)
}

TEST(LocalStats, ZeroVarianceIsAClearError) {
  std::vector<XY> pts{{0, 0}, {1, 0}, {2, 0}, {3, 0}};
  std::vector<double> x(4, 7.0);
  auto w = band_weights(pts, 1.5);
  try {
    getis_ord_gi_star(x, with_self(w, 1));
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("zero variance"), std::string::npos) << e.what();
  }
  EXPECT_THROW(local_moran(x, row_standardised(w)), InputError);
  EXPECT_THROW(global_moran(x, row_standardised(w)), InputError);
  EXPECT_THROW(permutation_pvalues(x, nullptr, &w, 99, 1, 1), InputError);
}

// Every unit a neighbour of all the others: Gi* (with the unit itself, binary) has n S1 = W², Local
// Moran (row-standardised) W2 = W² / (n - 1), Global Moran V = 0. All undefined: z and p NaN,
// Gi_Bin 0, COType empty, counted; analytic and permutation p alike.
TEST(LocalStats, EveryUnitNeighbourOfAllIsUndefined) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(0, 100);
  for (int permutations : {0, 99}) {
    for (std::size_t n : {4u, 30u, 200u}) {
      std::vector<XY> pts(n);
      std::vector<double> x(n);
      for (std::size_t i = 0; i < n; ++i) pts[i] = {u(rng), u(rng)}, x[i] = std::floor(u(rng));
      const SpatialWeights w = band_weights(pts, 1e6);
      LocalStatsOptions o;
      o.permutations = permutations;
      const LocalStatsResult r = local_stats(x, w, o);
      EXPECT_EQ(r.gi.undefined, static_cast<std::int64_t>(n));
      EXPECT_EQ(r.lisa.undefined, static_cast<std::int64_t>(n));
      for (std::size_t i = 0; i < n; ++i) {
        EXPECT_TRUE(std::isnan(r.gi.z[i]) && std::isnan(r.gi.p[i])) << n << " " << i;
        EXPECT_EQ(r.gi.bin[i], 0);
        EXPECT_TRUE(std::isnan(r.lisa.Z[i]) && std::isnan(r.lisa.p[i]));
        EXPECT_EQ(r.lisa.cotype[i], "");
      }
      ASSERT_TRUE(r.has_global);
      EXPECT_FALSE(r.global.defined);
      EXPECT_TRUE(std::isnan(r.global.z) && std::isnan(r.global.p));
      EXPECT_NEAR(r.global.I, r.global.E, 1e-12);  // I = -1/(n-1) exactly, in closed form
    }
  }
}

// A hub linked to every other unit, the rim linked to the hub alone: only the hub is undefined.
TEST(LocalStats, OnlyTheUnitWithoutVarianceIsUndefined) {
  std::vector<XY> pts{{0, 0}};
  for (int k = 0; k < 5; ++k)
    pts.push_back({10 * std::cos(k * 2 * M_PI / 5), 10 * std::sin(k * 2 * M_PI / 5)});
  const SpatialWeights w = band_weights(pts, 10.5);
  ASSERT_EQ(w.cardinality(0), 5u);
  ASSERT_EQ(w.cardinality(1), 1u);
  const std::vector<double> x{9, 1, 2, 3, 5, 8};
  for (int permutations : {0, 199}) {
    LocalStatsOptions o;
    o.permutations = permutations;
    const LocalStatsResult r = local_stats(x, w, o);
    EXPECT_EQ(r.gi.undefined, 1);
    EXPECT_EQ(r.lisa.undefined, 1);
    EXPECT_TRUE(std::isnan(r.gi.z[0]) && std::isnan(r.gi.p[0]));
    EXPECT_TRUE(std::isnan(r.lisa.Z[0]) && std::isnan(r.lisa.p[0]));
    for (std::size_t i = 1; i < 6; ++i) {
      EXPECT_TRUE(std::isfinite(r.gi.z[i]) && std::isfinite(r.gi.p[i])) << i;
      EXPECT_TRUE(std::isfinite(r.lisa.Z[i]) && std::isfinite(r.lisa.p[i])) << i;
    }
  }
}

// Values whose squares overflow (1e200² = inf) are refused, never turned into NaN labels.
TEST(LocalStats, OverflowingValuesAreAClearError) {
  std::vector<XY> pts{{0, 0}, {1, 0}, {2, 0}, {3, 0}, {4, 0}};
  const SpatialWeights w = band_weights(pts, 1.5);
  for (std::vector<double> x : {std::vector<double>{1e200, -1e200, 1, 2, 3},
                                std::vector<double>{1e308, 1e308, 0, 0, 1},
                                std::vector<double>{-1e160, 0, 0, 0, 1e160}}) {
    try {
      local_stats(x, w, LocalStatsOptions{});
      FAIL() << "no error";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("too large"), std::string::npos) << e.what();
    }
  }
}

TEST(Fdr, BenjaminiHochbergClosedForm) {
  // p.adjust(c(0.01, 0.04, 0.03, 0.2, NA), "BH") = 0.04 0.0533.. 0.0533.. 0.2 NA
  auto a = bh_adjust({0.01, 0.04, 0.03, 0.2, std::nan("")});
  EXPECT_NEAR(a[0], 0.04, 1e-15);
  EXPECT_NEAR(a[1], 0.053333333333333337, 1e-15);
  EXPECT_NEAR(a[2], 0.053333333333333337, 1e-15);
  EXPECT_NEAR(a[3], 0.2, 1e-15);
  EXPECT_TRUE(std::isnan(a[4]));
}

TEST(GiBin, ArcGisLevels) {
  EXPECT_EQ(gi_bin(3.0, 0.005), 3);
  EXPECT_EQ(gi_bin(-2.0, 0.04), -2);
  EXPECT_EQ(gi_bin(1.7, 0.09), 1);
  EXPECT_EQ(gi_bin(1.0, 0.3), 0);
  EXPECT_EQ(gi_bin(std::nan(""), 0.001), 0);
}

TEST(Sampler, DistinctExcludesSelfUniform) {
  const std::size_t n = 50, unit = 17;
  for (std::size_t k : {3u, 40u}) {  // both the linear and the stamped path
    UnitSampler s(99, unit, n);
    std::vector<std::int32_t> d(k);
    std::vector<double> hits(n, 0);
    const int reps = 20000;
    for (int r = 0; r < reps; ++r) {
      s.draw(k, d.data());
      std::vector<std::int32_t> sorted = d;
      std::sort(sorted.begin(), sorted.end());
      ASSERT_TRUE(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
      for (auto v : d) {
        ASSERT_NE(static_cast<std::size_t>(v), unit);
        ASSERT_LT(static_cast<std::size_t>(v), n);
        hits[static_cast<std::size_t>(v)] += 1;
      }
    }
    // Chi-square over the n - 1 allowed values; 99.99th percentile of chi2(48) is about 94.
    double expected =
               static_cast<double>(reps) * static_cast<double>(k) / static_cast<double>(n - 1),
           chi2 = 0;
    for (std::size_t v = 0; v < n; ++v)
      if (v != unit) chi2 += (hits[v] - expected) * (hits[v] - expected) / expected;
    EXPECT_LT(chi2, 94.0) << "k=" << k;
  }
  // A unit's stream depends on (seed, unit) only.
  UnitSampler a(5, 3, 100), b(5, 3, 100), c(5, 4, 100);
  std::int32_t da[4], db[4], dc[4];
  a.draw(4, da), b.draw(4, db), c.draw(4, dc);
  EXPECT_TRUE(std::equal(da, da + 4, db));
  EXPECT_FALSE(std::equal(da, da + 4, dc));
}

// Oracle: the same draws, the full spdep formulas on the permuted vector (x_i fixed, global mean
// and variance fixed), z-scores compared instead of partial sums.
PermutationResult oracle(const std::vector<double>& x, const SpatialWeights& nb, int N,
                         std::uint64_t seed) {
  // nb may carry any weights (binary or inverse distance); Gi* adds the unit itself with weight 1.
  const std::size_t n = x.size();
  PermutationResult out;
  out.gi_p.assign(n, std::nan(""));
  out.lisa_p.assign(n, std::nan(""));
  auto gw = with_self(nb, 1.0);
  auto lw = row_standardised(nb);
  auto gi = getis_ord_gi_star(x, gw);
  auto lm = local_moran(x, lw);
  double xbar = 0, ss = 0;
  for (double v : x) xbar += v;
  xbar /= static_cast<double>(n);
  for (double v : x) ss += (v - xbar) * (v - xbar);
  const double s2 = ss / static_cast<double>(n), nd = static_cast<double>(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t k = nb.cardinality(i);
    if (k == 0) continue;
    UnitSampler rng(seed, i, n);
    std::vector<std::int32_t> d(k);
    int g_ge = 0, l_ge = 0;
    const auto o = static_cast<std::size_t>(nb.offset[i]);
    for (int p = 0; p < N; ++p) {
      rng.draw(k, d.data());
      double lag = x[i], lz = 0, W = 1, S1 = 1, w2 = 0;
      for (std::size_t q = 0; q < k; ++q) {
        const double wq = nb.weight[o + q], lq = lw.weight[o + q];
        lag += wq * x[static_cast<std::size_t>(d[q])];
        W += wq, S1 += wq * wq, w2 += lq * lq;
        lz += lq * (x[static_cast<std::size_t>(d[q])] - xbar);
      }
      double zg = (lag - W * xbar) / std::sqrt(s2 * (nd * S1 - W * W) / (nd - 1));
      g_ge += zg >= gi.z[i] - 1e-9;  // ties within rounding count, as in the engine
      // Compare on the z scale of the permutation distribution: (I - E) / sd, sd ~ |z_i| sqrt(s2
      // Σw²) / s2.
      double Ip = ((x[i] - xbar) / s2) * lz;
      double sd = std::fabs((x[i] - xbar) / s2) * std::sqrt(s2 * w2);
      l_ge += (Ip - lm.I[i]) / sd >= -1e-9;
    }
    auto fold = [&](int ge) { return (std::min(ge, N - ge) + 1.0) / (N + 1.0); };
    out.gi_p[i] = fold(g_ge);
    if (x[i] != xbar) out.lisa_p[i] = fold(l_ge);
  }
  return out;
}

TEST(Permutations, EqualBruteForceOracleAndIndependentOfThreads) {
  auto c = cases()[6];  // boston_knn6
  auto gw = with_self(c.nb, 1.0);
  auto lw = row_standardised(c.nb);
  auto one = permutation_pvalues(c.units.value, &gw, &lw, 199, 42, 1);
  auto orc = oracle(c.units.value, c.nb, 199, 42);
  std::size_t differ = 0;
  for (std::size_t i = 0; i < one.gi_p.size(); ++i) {
    differ += one.gi_p[i] != orc.gi_p[i];
    differ += one.lisa_p[i] != orc.lisa_p[i];
  }
  EXPECT_EQ(differ, 0u);
  // Inverse-distance weights take the general (weighted) path.
  auto idw = cases()[8];
  auto gw2 = with_self(idw.nb, 1.0);
  auto lw2 = row_standardised(idw.nb);
  auto pi = permutation_pvalues(idw.units.value, &gw2, &lw2, 199, 42, 1);
  auto oi = oracle(idw.units.value, idw.nb, 199, 42);
  EXPECT_EQ(pi.gi_p, oi.gi_p);
  EXPECT_EQ(pi.lisa_p, oi.lisa_p);
  // Larger n so that parallel_ranges really splits (it keeps >= 4096 units per thread).
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(0, 100);
  std::vector<XY> pts;
  std::vector<double> x;
  for (int i = 0; i < 9000; ++i)
    pts.push_back({u(rng), u(rng)}), x.push_back(u(rng) + pts.back().x);
  auto nb = knn_weights(pts, 5);
  auto g2 = with_self(nb, 1.0);
  auto l2 = row_standardised(nb);
  auto t1 = permutation_pvalues(x, &g2, &l2, 99, 7, 1);
  auto t3 = permutation_pvalues(x, &g2, &l2, 99, 7, 3);
  EXPECT_EQ(t1.gi_p, t3.gi_p);
  EXPECT_EQ(t1.lisa_p, t3.lisa_p);
  auto other_seed = permutation_pvalues(x, &g2, &l2, 99, 8, 2);
  EXPECT_NE(t1.lisa_p, other_seed.lisa_p);
}

TEST(Permutations, PseudoPWithinMonteCarloErrorOfSpdep) {
  // spdep localmoran_perm(nsim = 9999) on Boston, kNN 6, style W; ours with 9999 permutations.
  auto c = cases()[6];
  auto lw = row_standardised(c.nb);
  auto ours = permutation_pvalues(c.units.value, nullptr, &lw, 9999, 20261123, 2);
  std::ifstream in(test::golden_dir() + "perm.csv");
  std::string line;
  std::getline(in, line);
  std::size_t i = 0, outside = 0;
  double worst = 0;
  while (std::getline(in, line)) {
    auto f = test::split_csv(line);
    double theirs = test::num(f[1]), p = (theirs + ours.lisa_p[i]) / 2;
    // Difference of two independent Monte Carlo estimates of a folded (one-tail) probability:
    // sd = sqrt(2 p (1 - p) / N). Allow 4 sd plus one count.
    double sd = std::sqrt(2 * p * (1 - p) / 9999.0);
    double diff = std::fabs(ours.lisa_p[i] - theirs);
    worst = std::max(worst, diff / (sd + 1e-4));
    outside += diff > 4 * sd + 2.0 / 10000;
    ++i;
  }
  EXPECT_EQ(i, 506u);
  EXPECT_LE(outside, 2u);  // 4 sd: expect ~0.03 of 506 by chance
  std::printf("pseudo p vs spdep: worst |diff| / sd = %.2f, outside 4 sd: %zu of %zu\n", worst,
              outside, i);
}

}  // namespace
}  // namespace hotspot

namespace hotspot {
namespace {

// The typed call: values and weights in, the layer's columns out, equal to spdep.
TEST(LocalStatsApi, ColumbusColumnsEqualSpdepAndLabels) {
  const auto ref = test::read_reference();
  const auto col = test::golden_units("columbus.geojson", "CRIME", "planar");
  const SpatialWeights w = contiguity_weights(col.polygons, Contiguity::kQueen, kSpdepSnap);
  LocalStatsOptions o;
  o.permutations = 0;
  o.fdr = true;
  const LocalStatsResult r = local_stats(col.value, w, o);
  const auto& rows = ref.at("columbus_queen");
  ASSERT_EQ(r.gi.z.size(), rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_LT(rel(r.gi.z[i], rows[i].gi_z), 1e-12);
    EXPECT_LT(rel(r.lisa.I[i], rows[i].Ii), 1e-12);
    EXPECT_LT(rel(r.lisa.p_fdr[i], rows[i].p_bh), 1e-12);
    EXPECT_EQ(r.gi.bin[i], gi_bin(r.gi.z[i], r.gi.p_fdr[i]));
    const bool sig = r.lisa.p_fdr[i] < 0.05;
    EXPECT_EQ(r.lisa.cotype[i].empty(), !sig);
  }
  EXPECT_TRUE(r.has_global);
  EXPECT_NEAR(r.global.I, 0.500188557182861, 1e-12);
  // One statistic alone equals the same column of both.
  const GiStarResult gi = gi_star(col.value, w, o);
  EXPECT_EQ(gi.z, r.gi.z);
  std::int64_t total = 0;
  for (const auto& [label, n] : gi_bin_counts(r.gi)) total += n;
  EXPECT_EQ(total, static_cast<std::int64_t>(rows.size()));
}

}  // namespace
}  // namespace hotspot
