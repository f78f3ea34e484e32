// Kernel density: kernels against their closed forms, the tiled splatting against its brute-force
// twin on seeded random data, thread independence, mask and edge correction, and the bandwidth
// selectors against spatstat on its real datasets (goldens made by
// tests/golden/make_kde_reference.R).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numbers>
#include <random>
#include <sstream>

#include "density/splat_isa.hpp"
#include "hotspot/density.hpp"
#include "hotspot/error.hpp"

namespace hotspot {
namespace {

const Kernel kAll[] = {Kernel::kQuartic,    Kernel::kEpanechnikov, Kernel::kTriweight,
                       Kernel::kTriangular, Kernel::kUniform,      Kernel::kGaussian};

struct Pattern {
  std::vector<double> x, y, w;
};

Pattern random_pattern(unsigned seed, std::size_t n, const Box& b, bool weights) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> ux(b.xmin, b.xmax), uy(b.ymin, b.ymax), uw(0.5, 3.0);
  Pattern p;
  for (std::size_t i = 0; i < n; ++i) {
    p.x.push_back(ux(rng));
    p.y.push_back(uy(rng));
    if (weights) p.w.push_back(uw(rng));
  }
  return p;
}

TEST(Kernels, IntegrateToOneWithTheDocumentedSigma) {
  for (Kernel k : kAll) {
    // ∫ K(r) 2πr dr and ∫ r² K(r) 2πr dr / 2 by the midpoint rule on [0, support].
    const double R = kernel_support(k);
    const int n = 400000;
    double mass = 0, second = 0;
    for (int i = 0; i < n; ++i) {
      double r = (i + 0.5) * R / n;
      double v = kernel_value(k, r * r) * 2 * std::numbers::pi * r * R / n;
      mass += v;
      second += r * r * v / 2;
    }
    EXPECT_NEAR(mass, 1.0, 1e-6) << kernel_name(k);
    EXPECT_NEAR(std::sqrt(second), kernel_sigma(k), k == Kernel::kGaussian ? 2e-4 : 1e-6)
        << kernel_name(k);
    EXPECT_EQ(kernel_value(k, R * R * 1.0001), 0.0) << kernel_name(k);
  }
  EXPECT_DOUBLE_EQ(kernel_value(Kernel::kQuartic, 0.25),
                   3 / std::numbers::pi * 0.75 * 0.75);  // ArcGIS's form
  EXPECT_EQ(parse_kernel("triweight"), Kernel::kTriweight);
  EXPECT_THROW(parse_kernel("biweight"), UsageError);
}

TEST(Grid, FollowsTheExtentRule) {
  Grid g = grid_for_extent({100, 200, 135, 221}, 10);
  EXPECT_EQ(g.cols, 4);  // ceil(35 / 10)
  EXPECT_EQ(g.rows, 3);  // ceil(21 / 10)
  EXPECT_DOUBLE_EQ(g.xmin, 100);
  EXPECT_DOUBLE_EQ(g.ymax, 221);
  EXPECT_DOUBLE_EQ(g.x(0), 105);
  EXPECT_DOUBLE_EQ(g.y(2), 196);
  EXPECT_THROW(grid_for_extent({0, 0, 0, 10}, 1), UsageError);
  EXPECT_THROW(grid_for_extent({0, 0, 1e6, 1e6}, 0.001), UsageError);
}

// Every kernel, with and without weights, several tiles and points beyond the grid's edges.
TEST(Kde, MatchesTheBruteForceOracleForEveryKernel) {
  const Grid g = grid_for_extent({1000, 2000, 1330, 2215}, 5);  // 66 × 43 cells
  for (Kernel k : kAll) {
    for (bool weighted : {false, true}) {
      Pattern p =
          random_pattern(42 + static_cast<unsigned>(k), 400, {950, 1950, 1380, 2265}, weighted);
      KdeOptions o;
      o.kernel = k;
      o.bandwidth_m = k == Kernel::kGaussian ? 9.7 : 37.3;
      o.tile = 16;
      o.threads = 3;
      DensityRaster r = kde(p.x, p.y, p.w, g, {}, o);
      std::vector<double> want = kde_brute_force(p.x, p.y, p.w, g, {}, o);
      ASSERT_EQ(r.values.size(), want.size());
      std::size_t positive = 0;
      for (std::size_t i = 0; i < want.size(); ++i) {
        ASSERT_LE(std::abs(r.values[i] - want[i]), 1e-5 * want[i])
            << kernel_name(k) << " cell " << i;
        positive += want[i] > 0;
      }
      EXPECT_GT(positive, want.size() / 2) << kernel_name(k);
    }
  }
}

// The Gaussian's column and row factors come from a recurrence (kde.cpp, gauss_run): check it
// against the oracle with σ from a fraction of a cell to many cells.
TEST(Kde, GaussianMatchesTheOracleFromNarrowToWideBandwidths) {
  const Grid g = grid_for_extent({0, 0, 400, 300}, 10);
  Pattern p = random_pattern(9, 300, {-50, -50, 450, 350}, true);
  for (double sigma : {2.5, 17.0, 160.0}) {
    KdeOptions o;
    o.kernel = Kernel::kGaussian;
    o.bandwidth_m = sigma;
    o.tile = 16;
    DensityRaster r = kde(p.x, p.y, p.w, g, {}, o);
    std::vector<double> want = kde_brute_force(p.x, p.y, p.w, g, {}, o);
    std::size_t positive = 0;
    for (std::size_t i = 0; i < want.size(); ++i) {
      ASSERT_LE(std::abs(r.values[i] - want[i]), 1e-5 * want[i])
          << "sigma " << sigma << " cell " << i;
      positive += want[i] > 0;
    }
    EXPECT_GT(positive, want.size() / 10) << sigma;
  }
}

// Every vector width the CPU has (AVX-512, AVX2, SSE2) gives the same bytes, for every kernel,
// with and without weights; points beyond the grid, on it and not finite are all handled. The
// sums are compared in double too: a last-bit difference (a fused multiply-add in one width, say)
// would rarely change a Float32.
TEST(Kde, SameBytesAtEveryVectorWidth) {
  const Grid g = grid_for_extent({0, 0, 700, 500}, 10);
  for (Kernel k : kAll) {
    for (bool weighted : {false, true}) {
      Pattern p = random_pattern(17, 3000, {-200, -200, 900, 700}, weighted);
      p.x.push_back(std::nan(""));
      p.y.push_back(100);
      p.x.push_back(100);
      p.y.push_back(HUGE_VAL);
      if (weighted) p.w.push_back(1), p.w.push_back(1);
      KdeOptions o;
      o.kernel = k;
      o.bandwidth_m = k == Kernel::kGaussian ? 30 : 110;
      o.tile = 32;
      o.threads = 2;
      std::vector<double> base_sums, sums;
      const DensityRaster base = kde_with_isa(p.x, p.y, p.w, g, {}, o, SplatIsa::kSse2, &base_sums);
      for (SplatIsa isa : {SplatIsa::kAvx2, SplatIsa::kAvx512}) {
        if (!cpu_has(isa)) continue;
        const DensityRaster r = kde_with_isa(p.x, p.y, p.w, g, {}, o, isa, &sums);
        EXPECT_EQ(
            0, std::memcmp(base.values.data(), r.values.data(), base.values.size() * sizeof(float)))
            << kernel_name(k) << (weighted ? " weighted" : "") << " width "
            << static_cast<int>(isa);
        EXPECT_EQ(0, std::memcmp(base_sums.data(), sums.data(), sums.size() * sizeof(double)))
            << kernel_name(k) << (weighted ? " weighted" : "") << " width "
            << static_cast<int>(isa);
      }
    }
  }
}

TEST(Kde, AreaUnitScalesTheValue) {
  const Grid g = grid_for_extent({0, 0, 100, 100}, 10);
  Pattern p = random_pattern(7, 30, {0, 0, 100, 100}, false);
  KdeOptions o;
  o.bandwidth_m = 40;
  o.area_scale = 1;
  DensityRaster m2 = kde(p.x, p.y, p.w, g, {}, o);
  o.area_scale = 1e4;
  DensityRaster ha = kde(p.x, p.y, p.w, g, {}, o);
  for (std::size_t i = 0; i < g.size(); ++i)
    EXPECT_NEAR(ha.values[i], m2.values[i] * 1e4f, 1e-5 * ha.values[i]);
  // The surface integrates to the number of incidents (per m², summed over 10 m cells) when
  // every kernel lies inside the grid.
  Pattern c{{50}, {50}, {}};
  DensityRaster one = kde(c.x, c.y, c.w, g, {}, o);
  double total = 0;
  for (float v : one.values) total += v / 1e4 * 100;
  EXPECT_NEAR(total, 1.0, 0.01);
}

TEST(Kde, ByteIdenticalAtAnyThreadCount) {
  const Grid g = grid_for_extent({0, 0, 3000, 2000}, 10);
  Pattern p = random_pattern(3, 5000, {-100, -100, 3100, 2100}, true);
  KdeOptions o;
  o.bandwidth_m = 120;
  o.tile = 64;
  std::vector<DensityRaster> runs;
  for (int t : {1, 2, 5}) {
    o.threads = t;
    runs.push_back(kde(p.x, p.y, p.w, g, {}, o));
  }
  for (std::size_t k = 1; k < runs.size(); ++k)
    EXPECT_EQ(0, std::memcmp(runs[0].values.data(), runs[k].values.data(),
                             runs[0].values.size() * sizeof(float)));
}

std::vector<MultiPolygon> square(double x0, double y0, double x1, double y1) {
  return {{Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}, {}}}};
}

// One incident at every cell centre of a square study area: with the edge correction the
// surface is flat right up to the edge; without it the corners fall to about a quarter.
TEST(Kde, EdgeCorrectionFlattensUniformPointsUpToTheEdge) {
  const Grid g = grid_for_extent({0, 0, 400, 400}, 10);
  const auto mask = rasterize_mask(square(100, 100, 300, 300), g, 2);
  Pattern p;
  for (std::int64_t r = 0; r < g.rows; ++r)
    for (std::int64_t c = 0; c < g.cols; ++c)
      if (mask[static_cast<std::size_t>(r * g.cols + c)])
        p.x.push_back(g.x(c)), p.y.push_back(g.y(r));
  ASSERT_EQ(p.x.size(), 400u);
  for (Kernel k : {Kernel::kQuartic, Kernel::kGaussian, Kernel::kUniform}) {
    KdeOptions o;
    o.kernel = k;
    o.bandwidth_m = k == Kernel::kGaussian ? 25 : 45;
    o.edge_correction = true;
    DensityRaster r = kde(p.x, p.y, p.w, g, mask, o);
    double lo = 1e300, hi = 0;
    for (std::size_t i = 0; i < g.size(); ++i) {
      if (!mask[i]) {
        EXPECT_EQ(r.values[i], r.nodata);
        continue;
      }
      lo = std::min(lo, static_cast<double>(r.values[i]));
      hi = std::max(hi, static_cast<double>(r.values[i]));
    }
    // The flat value: the kernel summed over the lattice of cell centres, per m² × 1e6 (about one
    // incident per 100 m², exactly so only as h/cell grows).
    double lattice = 0;
    for (int j = -20; j <= 20; ++j)
      for (int i = -20; i <= 20; ++i)
        lattice += kernel_value(k, (100.0 * (i * i + j * j)) / (o.bandwidth_m * o.bandwidth_m));
    lattice *= 1e6 / (o.bandwidth_m * o.bandwidth_m);
    EXPECT_LE(hi - lo, 1e-6 * hi) << kernel_name(k);
    EXPECT_NEAR(hi, lattice, 1e-6 * lattice) << kernel_name(k);
    EXPECT_NEAR(hi, 1e6 / 100, 0.1 * 1e6 / 100) << kernel_name(k);
    o.edge_correction = false;
    DensityRaster raw = kde(p.x, p.y, p.w, g, mask, o);
    const std::size_t corner = static_cast<std::size_t>(10 * g.cols + 10),
                      centre = static_cast<std::size_t>(20 * g.cols + 20);
    EXPECT_LT(raw.values[corner], 0.4 * raw.values[centre]) << kernel_name(k);
  }
}

TEST(Kde, EdgeCorrectionMatchesItsDefinitionOnAnIrregularMask) {
  const Grid g = grid_for_extent({0, 0, 300, 240}, 6);
  // An L-shaped study area.
  std::vector<MultiPolygon> L = {{Polygon{
      {{20, 20}, {280, 20}, {280, 110}, {120, 110}, {120, 220}, {20, 220}, {20, 20}}, {}}}};
  const auto mask = rasterize_mask(L, g, 1);
  Pattern p = random_pattern(11, 300, {20, 20, 280, 220}, true);
  for (Kernel k : {Kernel::kQuartic, Kernel::kTriangular, Kernel::kGaussian}) {
    KdeOptions o;
    o.kernel = k;
    o.bandwidth_m = k == Kernel::kGaussian ? 8 : 33;
    o.edge_correction = true;
    o.tile = 16;
    o.threads = 2;
    DensityRaster r = kde(p.x, p.y, p.w, g, mask, o);
    std::vector<double> want = kde_brute_force(p.x, p.y, p.w, g, mask, o);
    for (std::size_t i = 0; i < g.size(); ++i) {
      if (!mask[i]) {
        EXPECT_EQ(r.values[i], r.nodata);
        continue;
      }
      ASSERT_LE(std::abs(r.values[i] - want[i]), 1e-5 * want[i]) << kernel_name(k) << " cell " << i;
    }
  }
}

// Random uniform points: with the correction the band along the edge is as dense as the middle.
TEST(Kde, EdgeCorrectionRemovesTheEdgeDeficitForRandomUniformPoints) {
  const Grid g = grid_for_extent({0, 0, 1000, 1000}, 10);
  const auto mask = rasterize_mask(square(0, 0, 1000, 1000), g, 2);
  Pattern p = random_pattern(5, 40000, {0, 0, 1000, 1000}, false);
  KdeOptions o;
  o.bandwidth_m = 100;
  auto band_ratio = [&](const DensityRaster& r) {
    double edge = 0, mid = 0;
    int ne = 0, nm = 0;
    for (std::int64_t row = 0; row < g.rows; ++row)
      for (std::int64_t c = 0; c < g.cols; ++c) {
        double v = r.values[static_cast<std::size_t>(row * g.cols + c)];
        std::int64_t d = std::min({row, c, g.rows - 1 - row, g.cols - 1 - c});
        if (d < 2)
          edge += v, ++ne;
        else if (d > 20)
          mid += v, ++nm;
      }
    return (edge / ne) / (mid / nm);
  };
  o.edge_correction = true;
  EXPECT_NEAR(band_ratio(kde(p.x, p.y, p.w, g, mask, o)), 1.0, 0.03);
  o.edge_correction = false;
  EXPECT_LT(band_ratio(kde(p.x, p.y, p.w, g, mask, o)), 0.7);
}

TEST(Kde, RefusesBadOptions) {
  const Grid g = grid_for_extent({0, 0, 100, 100}, 10);
  KdeOptions o;
  const std::vector<double> one = {1};
  EXPECT_THROW(kde(one, one, {}, g, {}, o), UsageError);  // no bandwidth
  o.bandwidth_m = 10;
  o.edge_correction = true;
  EXPECT_THROW(kde(one, one, {}, g, {}, o), UsageError);  // edge correction without a mask
}

// ---- Bandwidths ----------------------------------------------------------------------------

struct Golden {
  Pattern p;
  nlohmann::json ref;
  Box window;
};

Golden golden(const std::string& name) {
  Golden g;
  std::ifstream csv(std::string(HOTSPOT_SOURCE_DIR) + "/tests/golden/kde_" + name + "_points.csv");
  std::string line;
  std::getline(csv, line);
  while (std::getline(csv, line)) {
    double x = 0, y = 0;
    if (std::sscanf(line.c_str(), "%lf,%lf", &x, &y) == 2) g.p.x.push_back(x), g.p.y.push_back(y);
  }
  std::ifstream js(std::string(HOTSPOT_SOURCE_DIR) + "/tests/golden/kde_" + name +
                   "_reference.json");
  g.ref = nlohmann::json::parse(js);
  auto w = g.ref["window"];
  g.window = {w[0].get<double>(), w[1].get<double>(), w[2].get<double>(), w[3].get<double>()};
  return g;
}

TEST(Bandwidth, ArcgisRuleMatchesItsClosedForm) {
  // Mean centre (1, 1); distances √2 (×4) and 0: SD = √(8/5), Dm = √2.
  std::vector<double> x = {0, 2, 0, 2, 1}, y = {0, 0, 2, 2, 1};
  const double sd = std::sqrt(8.0 / 5), dm = std::sqrt(2.0);
  EXPECT_NEAR(bandwidth_arcgis(x, y, {}),
              0.9 * std::min(sd, std::sqrt(1 / std::log(2.0)) * dm) * std::pow(5.0, -0.2), 1e-12);
  // Spread-out points with a tight core: the median distance term wins.
  std::vector<double> x2 = {0, 0.1, -0.1, 0, 0, 50, -60}, y2 = {0, 0, 0, 0.1, -0.1, 0, 0};
  double mx = (0.1 - 0.1 + 50 - 60) / 7.0;
  std::vector<double> d;
  double ss = 0;
  for (std::size_t i = 0; i < x2.size(); ++i) {
    d.push_back(std::hypot(x2[i] - mx, y2[i]));
    ss += d.back() * d.back();
  }
  std::sort(d.begin(), d.end());
  double want =
      0.9 * std::min(std::sqrt(ss / 7), std::sqrt(1 / std::log(2.0)) * d[3]) * std::pow(7.0, -0.2);
  EXPECT_NEAR(bandwidth_arcgis(x2, y2, {}), want, 1e-12);
  // Integer weights act as repeated points.
  std::vector<double> xr = {0, 2, 2, 0, 2}, yr = {0, 0, 0, 2, 2};
  const std::vector<double> xw = {0, 2, 0, 2}, yw = {0, 0, 2, 2}, ww = {1, 2, 1, 1};
  EXPECT_NEAR(bandwidth_arcgis(xw, yw, ww), bandwidth_arcgis(xr, yr, {}), 1e-12);
}

TEST(Bandwidth, ScottMatchesSpatstat) {
  for (const char* name : {"bei", "redwood"}) {
    Golden g = golden(name);
    ASSERT_EQ(g.p.x.size(), g.ref["n"].get<std::size_t>());
    EXPECT_NEAR(bandwidth_scott(g.p.x, g.p.y), g.ref["bw_scott_isotropic"].get<double>(),
                1e-12 * g.ref["bw_scott_isotropic"].get<double>())
        << name;
  }
}

// bw.ppl(X, edge = FALSE). LCV(σ) = Σ log λ̂₋ᵢ(xᵢ) − ∫_W λ̂. The first term must equal spatstat's
// (both are exact sums at the points); the second we integrate exactly with erf, where spatstat
// sums an FFT pixel image whose periodic wrap-around inflates it once σ is a sizeable part of the
// window (redwood, σ = 0.71 in the unit square: 20.95 against the exact 14.88). So the integrals
// are compared only for σ up to a tenth of the window's shorter side, and the optimum on the grid
// must be spatstat's.
TEST(Bandwidth, LikelihoodCrossValidationMatchesSpatstatBwPpl) {
  for (const char* name : {"bei", "redwood"}) {
    Golden g = golden(name);
    // The full selector on redwood; on bei (3,604 points, quadratic) only the grid scores, which
    // decide bw.ppl's answer, to keep the suite fast.
    const bool full = std::string(name) == "redwood";
    CvResult cv;
    if (full) {
      cv = bandwidth_cv(g.p.x, g.p.y, g.window, 2);
    } else {
      for (const auto& s : g.ref["bw_ppl_sigmas"]) {
        cv.sigmas.push_back(s.get<double>());
        // σ > 20 m: every pair counts (slow), and the scores only fall there (see the golden).
        cv.scores.push_back(s.get<double>() > 20
                                ? -HUGE_VAL
                                : lcv_score(g.p.x, g.p.y, g.window, s.get<double>(), 2));
      }
      cv.grid_sigma_m = cv.sigmas[static_cast<std::size_t>(
          std::max_element(cv.scores.begin(), cv.scores.end()) - cv.scores.begin())];
      cv.sigma_m = cv.grid_sigma_m;
    }
    const auto& sig = g.ref["bw_ppl_sigmas"];
    const auto& loglik = g.ref["loo_loglik"];
    const auto& integral = g.ref["integral_im"];
    ASSERT_EQ(cv.sigmas.size(), sig.size());
    const Box W = g.window;
    int compared = 0;
    for (std::size_t k = 0; k < sig.size(); ++k) {
      const double s = sig[k].get<double>();
      EXPECT_NEAR(cv.sigmas[k], s, 1e-9 * s) << name << " σ " << k;
      double mass = 0;  // ∫_W λ̂ in closed form
      auto Phi = [](double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); };
      for (std::size_t i = 0; i < g.p.x.size(); ++i)
        mass += (Phi((W.xmax - g.p.x[i]) / s) - Phi((W.xmin - g.p.x[i]) / s)) *
                (Phi((W.ymax - g.p.y[i]) / s) - Phi((W.ymin - g.p.y[i]) / s));
      if (!full && s > 20)
        continue;  // the far end of bei's grid is all pairs: slow, and far from the optimum
      if (loglik[k].is_null()) {
        EXPECT_TRUE(std::isinf(cv.scores[k]) && cv.scores[k] < 0) << name << " σ " << k;
        continue;
      }
      const double want = loglik[k].get<double>();
      EXPECT_NEAR(cv.scores[k] + mass, want, 1e-9 * std::abs(want)) << name << " σ " << k;
      if (s <= 0.1 * std::min(W.xmax - W.xmin, W.ymax - W.ymin)) {
        EXPECT_NEAR(mass, integral[k].get<double>(), 0.01 * integral[k].get<double>())
            << name << " σ " << k;
        ++compared;
      }
    }
    EXPECT_GE(compared, 4) << name;
    EXPECT_DOUBLE_EQ(cv.grid_sigma_m, g.ref["bw_ppl"].get<double>()) << name;
    // The refined optimum scores at least as well as the best grid value.
    EXPECT_GE(lcv_score(g.p.x, g.p.y, W, cv.sigma_m, 1),
              lcv_score(g.p.x, g.p.y, W, cv.grid_sigma_m, 1) - 1e-9);
  }
}

// ---- Hotspot zones ---------------------------------------------------------------------------

TEST(Zones, TopPercentIsTheSmallestAreaHoldingThatShare) {
  DensityRaster r;
  r.grid = grid_for_extent({0, 0, 40, 10}, 10);  // 4 cells in a row
  r.values = {4, 3, 2, 1};
  // Incidents per cell: 1, 1, 6, 2 (10 in all).
  std::vector<double> x = {5, 15, 25, 25, 25, 25, 25, 25, 35, 35}, y(10, 5);
  EXPECT_EQ(threshold_top_percent(r, x, y, 10), 4);  // the first cell holds 10 %
  EXPECT_EQ(threshold_top_percent(r, x, y, 20), 3);  // 2 of 10
  EXPECT_EQ(threshold_top_percent(r, x, y, 50), 2);  // 8 of 10
  EXPECT_EQ(threshold_top_percent(r, x, y, 100), 1);
  EXPECT_THROW(threshold_top_percent(r, x, y, 0), UsageError);
  // R: quantile(c(1, 2, 3, 4), 0.9, type = 7) = 3.7
  EXPECT_NEAR(threshold_percentile(r, 90), 3.7, 1e-6);
}

TEST(Zones, CarryCountsAreaPeakMeanAndPai) {
  DensityRaster r;
  r.grid = grid_for_extent({0, 0, 50, 30}, 10);  // 5 × 3
  r.values = {9, 8, 0, 0, 1,                     //
              7, 0, 0, 5, 6,                     //
              0, 0, 0, 0, 0};
  std::vector<double> x = {5, 5, 15, 45, 45, 45, 25}, y = {25, 15, 25, 15, 15, 25, 5};
  std::vector<MultiPolygon> communes = {square(0, 0, 20, 30)[0], square(20, 0, 50, 30)[0]};
  auto zones = hotspot_zones(r, 5, x, y, communes, {});
  ASSERT_EQ(zones.size(), 2u);
  // Strongest first: cells {9, 8, 7} then {5, 6}.
  EXPECT_EQ(zones[0].cells, 3);
  EXPECT_DOUBLE_EQ(zones[0].area_m2, 300);
  EXPECT_EQ(zones[0].incidents, 3);
  EXPECT_DOUBLE_EQ(zones[0].peak, 9);
  EXPECT_DOUBLE_EQ(zones[0].mean, 8);
  EXPECT_DOUBLE_EQ(zones[0].pai, (3.0 / 7) / (300.0 / 1500));
  EXPECT_EQ(zones[0].communes, std::vector<std::int32_t>({0}));
  EXPECT_EQ(zones[1].cells, 2);
  EXPECT_EQ(zones[1].incidents, 2);  // the cell holding 1 (≥ threshold? no) keeps its incident out
  EXPECT_DOUBLE_EQ(zones[1].peak, 6);
  EXPECT_EQ(zones[1].communes, std::vector<std::int32_t>({1}));
  double area = 0;
  for (const auto& p : zones[0].geom) {
    double a = 0;
    for (std::size_t i = 0; i + 1 < p.shell.size(); ++i)
      a += p.shell[i].x * p.shell[i + 1].y - p.shell[i + 1].x * p.shell[i].y;
    area += std::abs(a) / 2;
  }
  EXPECT_DOUBLE_EQ(area, 300);
}

}  // namespace
}  // namespace hotspot
