// The k-distance knee (eps auto, and the advice of the oversized-cluster warning) against a
// brute-force twin, and the same knee from DBSCAN's core points as the hint, on seeded points
// with duplicates, lattice runs and dense blobs; k on both sides of the sorted/heap switch (64).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "hotspot/cluster.hpp"
#include "hotspot/error.hpp"
#include "unit/cluster/cluster_support.hpp"

namespace hotspot {
namespace {

// Every point's k-th smallest squared distance (itself counted) by brute force, then the knee
// as hotspot/cluster.hpp documents it.
KDistanceKnee brute_knee(const std::vector<double>& x, const std::vector<double>& y, int k) {
  const std::size_t n = x.size();
  const auto kk = std::min<std::size_t>(static_cast<std::size_t>(k), n);
  std::vector<double> d(n), row(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      const double dx = x[i] - x[j], dy = y[i] - y[j];
      row[j] = dx * dx + dy * dy;
    }
    std::nth_element(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(kk - 1), row.end());
    d[i] = std::sqrt(row[kk - 1]);
  }
  std::sort(d.begin(), d.end());
  KDistanceKnee out;
  out.k = static_cast<int>(kk);
  const double lo = d.front(), hi = d.back();
  if (!(hi > lo)) {
    out.eps = hi, out.index = n - 1;
    return out;
  }
  double best = -1;
  for (std::size_t i = 0; i < n; ++i) {
    const double v = static_cast<double>(i) / static_cast<double>(n - 1) - (d[i] - lo) / (hi - lo);
    if (v > best) best = v, out.index = i;
  }
  out.eps = d[out.index];
  if (!(out.eps > 0)) {
    out.index = static_cast<std::size_t>(std::upper_bound(d.begin(), d.end(), 0.0) - d.begin());
    out.eps = d[out.index];
  }
  return out;
}

void expect_same(const KDistanceKnee& got, const KDistanceKnee& want, const std::string& what) {
  EXPECT_EQ(got.k, want.k) << what;
  EXPECT_EQ(got.index, want.index) << what;
  EXPECT_EQ(got.eps, want.eps) << what;  // the same double, not a close one
}

TEST(KDistanceKnee, MatchesBruteForce) {
  for (std::uint32_t seed : {3u, 19u}) {
    std::vector<double> x, y;
    test::seeded_points(seed, 1500, x, y);
    for (int k : {2, 5, 10, 70}) {
      const KDistanceKnee want = brute_knee(x, y, k);
      for (int threads : {1, 3})
        expect_same(k_distance_knee(x, y, k, threads), want,
                    "seed " + std::to_string(seed) + " k " + std::to_string(k) + " threads " +
                        std::to_string(threads));
    }
  }
}

// DBSCAN's core points (k-distance <= eps) as the hint: the same knee whether the ranks within eps
// can be skipped (eps below the knee), cannot (eps above it, the fallback), or hold no point or all
// of them; with duplicates the smallest k-distance is 0.
TEST(KDistanceKnee, CorePointsAsTheHintGiveTheSameKnee) {
  std::vector<double> x, y;
  test::seeded_points(7, 2000, x, y);
  for (int i = 0; i < 12; ++i) x.push_back(x[5]), y.push_back(y[5]);  // 13 at one place
  for (int k : {3, 10, 70}) {
    const KDistanceKnee want = brute_knee(x, y, k);
    for (double eps : {1e-4, 0.3, 1.0, 2.5, 6.0, 500.0}) {
      const Clustering c = dbscan(x, y, {eps, k, 2});
      for (int threads : {1, 2})
        expect_same(k_distance_knee(x, y, k, threads, eps, c.core), want,
                    "k " + std::to_string(k) + " eps " + std::to_string(eps));
    }
  }
}

TEST(KDistanceKnee, RefusesTooFewPointsAndOnePlace) {
  std::vector<double> x{1, 2}, y{1, 2};
  EXPECT_THROW(k_distance_knee(x, y, 2), ParameterError);
  x = {5, 5, 5, 5}, y = {1, 1, 1, 1};
  EXPECT_THROW(k_distance_knee(x, y, 2), ParameterError);
  EXPECT_THROW(k_distance_knee(x, y, 0), ParameterError);
  x = {1, 2, 3}, y = {1, 2, 3};
  EXPECT_THROW(k_distance_knee(x, y, 1), ParameterError);  // k = 1: every point is its own nearest
}

}  // namespace
}  // namespace hotspot
