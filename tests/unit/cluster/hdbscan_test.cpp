// HDBSCAN against R dbscan::hdbscan on real public data, and its MST against a brute-force Prim.
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>

#include "cluster/mst.hpp"
#include "hotspot/cluster.hpp"
#include "hotspot/error.hpp"
#include "unit/cluster/cluster_support.hpp"

namespace hotspot {
namespace {

using test::read_numeric_csv;

// Brute-force twin: O(n^2) core distances and Prim on the dense mutual-reachability graph.
std::vector<double> prim_weights(const std::vector<double>& x, const std::vector<double>& y, int min_samples) {
  const std::size_t n = x.size();
  auto d2 = [&](std::size_t i, std::size_t j) {
    const double dx = x[i] - x[j], dy = y[i] - y[j];
    return dx * dx + dy * dy;
  };
  std::vector<double> core(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<double> d(n);
    for (std::size_t j = 0; j < n; ++j) d[j] = d2(i, j);
    std::nth_element(d.begin(), d.begin() + (min_samples - 1), d.end());
    core[i] = d[static_cast<std::size_t>(min_samples - 1)];
  }
  std::vector<double> best(n, std::numeric_limits<double>::infinity());
  std::vector<bool> in(n, false);
  std::vector<double> w;
  best[0] = 0;
  for (std::size_t step = 0; step < n; ++step) {
    std::size_t u = n;
    for (std::size_t i = 0; i < n; ++i)
      if (!in[i] && (u == n || best[i] < best[u])) u = i;
    in[u] = true;
    if (step > 0) w.push_back(best[u]);
    for (std::size_t v = 0; v < n; ++v)
      if (!in[v]) best[v] = std::min(best[v], std::max({core[u], core[v], d2(u, v)}));
  }
  std::sort(w.begin(), w.end());
  return w;
}

TEST(HdbscanMst, EqualsPrimOnSeededData) {
  for (std::uint32_t seed : {4u, 5u}) {
    std::vector<double> x, y;
    test::seeded_points(seed, 600, x, y);
    for (int ms : {1, 3, 10}) {
      std::vector<double> expect = prim_weights(x, y, ms);
      for (int t : {1, 2}) {
        auto mst = cluster_detail::mutual_reachability_mst(x, y, ms, t);
        ASSERT_EQ(mst.size(), x.size() - 1);
        std::vector<double> got;
        for (const auto& e : mst) got.push_back(e.w2);
        std::sort(got.begin(), got.end());
        // The multiset of MST weights is the same for every minimum spanning tree.
        ASSERT_EQ(got, expect) << "seed " << seed << " min_samples " << ms << " threads " << t;
      }
    }
  }
}

struct RCase {
  const char* data;
  int min_pts;
};

class RHdbscan : public ::testing::TestWithParam<RCase> {};

TEST_P(RHdbscan, AgreesWithRDbscan) {
  const RCase c = GetParam();
  auto pts = read_numeric_csv(std::string(c.data) + ".csv");
  auto ref = read_numeric_csv("hdbscan_" + std::string(c.data) + "_" + std::to_string(c.min_pts) + ".csv");
  HdbscanOptions o;
  o.min_cluster_size = c.min_pts;
  o.threads = 1;
  Clustering ours = hdbscan(pts[0], pts[1], o);
  o.threads = 2;
  Clustering two = hdbscan(pts[0], pts[1], o);
  EXPECT_EQ(ours.label, two.label);
  EXPECT_EQ(ours.probability, two.probability);
  EXPECT_EQ(ours.outlier_score, two.outlier_score);
  std::vector<int> r_label(ref[0].begin(), ref[0].end());
  const double ari = test::adjusted_rand(ours.label, r_label);
  std::set<int> r_clusters(r_label.begin(), r_label.end());
  r_clusters.erase(0);
  double glosh_max = 0, prob_max = 0;
  std::size_t glosh_close = 0;
  for (std::size_t i = 0; i < r_label.size(); ++i) {
    glosh_max = std::max(glosh_max, std::abs(ours.outlier_score[i] - ref[2][i]));
    glosh_close += std::abs(ours.outlier_score[i] - ref[2][i]) < 1e-9;
    prob_max = std::max(prob_max, std::abs(ours.probability[i] - ref[1][i]));
  }
  std::printf("[ hdbscan ] %s minPts %d: ARI %.6f, clusters ours %d R %zu, GLOSH max |diff| %.3g (%zu/%zu within 1e-9), "
              "prob max |diff| %.3g\n",
              c.data, c.min_pts, ari, ours.clusters(), r_clusters.size(), glosh_max, glosh_close, r_label.size(), prob_max);
  EXPECT_GE(ari, 0.95);
  // GLOSH is the same number as R's for almost every point; the rest differ where ties in the
  // MST (equal mutual-reachability distances) were broken differently.
  EXPECT_GE(static_cast<double>(glosh_close), 0.95 * static_cast<double>(r_label.size()));
}

INSTANTIATE_TEST_SUITE_P(RealData, RHdbscan,
                         ::testing::Values(RCase{"ds3", 25}, RCase{"moons", 5}, RCase{"bei", 20}, RCase{"bei", 50},
                                           RCase{"lansing", 15}));

TEST(Hdbscan, SelectionLeafAndEomOnTwoBlobs) {
  std::vector<double> x, y;
  for (int i = 0; i < 60; ++i) {
    x.push_back(i % 8);
    y.push_back(i / 8);
    x.push_back(100 + i % 8);
    y.push_back(i / 8);
  }
  HdbscanOptions o;
  o.min_cluster_size = 10;
  Clustering e = hdbscan(x, y, o);
  EXPECT_EQ(e.clusters(), 2);
  EXPECT_NE(e.label[0], e.label[1]);
  for (double p : e.probability) EXPECT_TRUE(p >= 0 && p <= 1);
  for (double s : e.outlier_score) EXPECT_TRUE(s >= 0 && s <= 1);
  o.selection = HdbscanSelection::kLeaf;
  Clustering l = hdbscan(x, y, o);
  EXPECT_GE(l.clusters(), 2);
}

TEST(Hdbscan, DuplicatesAndBadOptions) {
  std::vector<double> x(5000, 1.0), y(5000, 2.0);
  for (int i = 0; i < 100; ++i) {
    x.push_back(500 + i);
    y.push_back(0);
  }
  HdbscanOptions o;
  o.min_cluster_size = 5;
  Clustering c = hdbscan(x, y, o);
  EXPECT_EQ(c.label.size(), x.size());
  for (double s : c.outlier_score) EXPECT_TRUE(std::isfinite(s));
  for (double p : c.probability) EXPECT_TRUE(std::isfinite(p));
  EXPECT_EQ(c.label[0], c.label[4999]);
  o.min_cluster_size = 1;
  EXPECT_THROW(hdbscan(x, y, o), UsageError);
  o.min_cluster_size = 5;
  o.min_samples = 100000;
  EXPECT_THROW(hdbscan(x, y, o), UsageError);
}

}  // namespace
}  // namespace hotspot
