// DBSCAN against scikit-learn on real public data (R dbscan's DS3, spatstat's bei and lansing)
// and on seeded random data with duplicates and ties at exactly eps, plus a brute-force twin.
#include <gtest/gtest.h>

#include <limits>

#include "cluster/mst.hpp"
#include "hotspot/cluster.hpp"
#include "hotspot/error.hpp"
#include "unit/cluster/cluster_support.hpp"

namespace hotspot {
namespace {

using test::read_numeric_csv;

// Brute-force twin: O(n^2), straight from the definition.
Clustering brute_dbscan(const std::vector<double>& x, const std::vector<double>& y, double eps,
                        int min_points) {
  const std::size_t n = x.size();
  const double eps2 = eps * eps;
  auto nb = [&](std::size_t i, std::size_t j) {
    const double dx = x[i] - x[j], dy = y[i] - y[j];
    return dx * dx + dy * dy <= eps2;
  };
  Clustering out;
  out.core.assign(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    int c = 0;
    for (std::size_t j = 0; j < n; ++j) c += nb(i, j);
    out.core[i] = c >= min_points;
  }
  std::vector<std::int64_t> comp(n, -1);
  for (std::size_t i = 0; i < n; ++i) {
    if (!out.core[i] || comp[i] >= 0) continue;
    std::vector<std::size_t> todo{i};
    comp[i] = static_cast<std::int64_t>(i);
    while (!todo.empty()) {
      std::size_t a = todo.back();
      todo.pop_back();
      for (std::size_t b = 0; b < n; ++b)
        if (out.core[b] && comp[b] < 0 && nb(a, b)) {
          comp[b] = static_cast<std::int64_t>(i);
          todo.push_back(b);
        }
    }
  }
  std::vector<std::int64_t> raw(comp);
  for (std::size_t i = 0; i < n; ++i) {
    if (out.core[i]) continue;
    double best = std::numeric_limits<double>::infinity();
    for (std::size_t j = 0; j < n; ++j) {
      if (!out.core[j] || !nb(i, j)) continue;
      const double dx = x[i] - x[j], dy = y[i] - y[j], d2 = dx * dx + dy * dy;
      if (d2 < best) {  // j ascending: equal distances keep the lower index
        best = d2;
        raw[i] = comp[j];
      }
    }
  }
  // Same numbering rule: size descending, then smallest index.
  std::map<std::int64_t, std::pair<std::int64_t, std::size_t>> g;
  for (std::size_t i = 0; i < n; ++i)
    if (raw[i] >= 0) {
      auto& e = g.try_emplace(raw[i], 0, i).first->second;
      ++e.first;
    }
  std::vector<std::pair<std::pair<std::int64_t, std::size_t>, std::int64_t>> order;
  for (const auto& [k, v] : g) order.push_back({{-v.first, v.second}, k});
  std::sort(order.begin(), order.end());
  std::map<std::int64_t, std::int32_t> id;
  for (std::size_t r = 0; r < order.size(); ++r) id[order[r].second] = static_cast<std::int32_t>(r);
  out.label.assign(n, -1);
  for (std::size_t i = 0; i < n; ++i)
    if (raw[i] >= 0) out.label[i] = id[raw[i]];
  return out;
}

struct Case {
  const char* data;
  double eps;
  int min_points;
  const char* ref;
};

class SklearnDbscan : public ::testing::TestWithParam<Case> {};

TEST_P(SklearnDbscan, CoreNoiseAndClustersMatch) {
  const Case c = GetParam();
  auto pts = read_numeric_csv(std::string(c.data) + ".csv");
  auto ref = read_numeric_csv(c.ref);
  const auto& x = pts[0];
  const auto& y = pts[1];
  ASSERT_EQ(ref[0].size(), x.size());
  Clustering ours = dbscan(x, y, {c.eps, c.min_points, 1});
  Clustering two = dbscan(x, y, {c.eps, c.min_points, 2});
  EXPECT_EQ(ours.label, two.label);
  EXPECT_EQ(ours.core, two.core);
  std::size_t core_mismatch = 0, noise_mismatch = 0, n_core = 0, n_noise = 0;
  std::map<int, int> sk_to_ours, ours_to_sk;
  bool partition_ok = true;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const bool sk_core = ref[0][i] == 1;
    const int sk_label = static_cast<int>(ref[1][i]);
    core_mismatch += sk_core != (ours.core[i] == 1);
    noise_mismatch += (sk_label == -1) != (ours.label[i] == -1);
    n_core += sk_core;
    n_noise += sk_label == -1;
    if (sk_core && ours.core[i]) {
      auto a = sk_to_ours.emplace(sk_label, ours.label[i]).first->second;
      auto b = ours_to_sk.emplace(ours.label[i], sk_label).first->second;
      partition_ok &= a == ours.label[i] && b == sk_label;
    }
  }
  EXPECT_EQ(core_mismatch, 0u) << c.ref;
  EXPECT_EQ(noise_mismatch, 0u) << c.ref;
  EXPECT_TRUE(partition_ok) << "core points split differently from scikit-learn in " << c.ref;
  EXPECT_EQ(sk_to_ours.size(), static_cast<std::size_t>(ours.clusters()));
  EXPECT_GT(n_core, 0u);
  EXPECT_GT(n_noise, 0u);
  // Border points: the cluster of the nearest core point, ties to the lower index (a scan of all
  // points per border point).
  const double eps2 = c.eps * c.eps;
  std::size_t borders = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (ours.core[i] || ours.label[i] < 0) continue;
    ++borders;
    double best = std::numeric_limits<double>::infinity();
    std::size_t best_j = 0;
    for (std::size_t j = 0; j < x.size(); ++j) {
      const double dx = x[i] - x[j], dy = y[i] - y[j], d2 = dx * dx + dy * dy;
      if (ours.core[j] && d2 <= eps2 && d2 < best) {
        best = d2;
        best_j = j;
      }
    }
    ASSERT_EQ(ours.label[i], ours.label[best_j]) << "border point " << i << " in " << c.ref;
  }
  EXPECT_GT(borders, 0u) << c.ref;
}

INSTANTIATE_TEST_SUITE_P(
    RealAndSeeded, SklearnDbscan,
    ::testing::Values(Case{"ds3", 10.0, 10, "dbscan_ds3_10_10.csv"},
                      Case{"ds3", 6.0, 4, "dbscan_ds3_6_4.csv"},
                      Case{"bei", 15.0, 10, "dbscan_bei_15_10.csv"},
                      Case{"bei", 8.0, 3, "dbscan_bei_8_3.csv"},
                      Case{"lansing", 0.03, 8, "dbscan_lansing_0.03_8.csv"},
                      Case{"random_grid", 2.0, 8, "dbscan_random_grid_2_8.csv"},
                      Case{"random_grid", 1.0, 3, "dbscan_random_grid_1_3.csv"},
                      Case{"random_grid", 1.5, 12, "dbscan_random_grid_1.5_12.csv"},
                      Case{"random_frac", 0.3, 4, "dbscan_random_frac_0.3_4.csv"},
                      Case{"random_frac", 0.5, 3, "dbscan_random_frac_0.5_3.csv"}));

TEST(Dbscan, SeededRandomMatchesBruteForceAtAnyThreadCount) {
  for (std::uint32_t seed : {1u, 2u, 3u}) {
    std::vector<double> x, y;
    test::seeded_points(seed, 1500, x, y);
    for (double eps : {1.0, 2.5}) {
      for (int mp : {1, 3, 12}) {
        Clustering b = brute_dbscan(x, y, eps, mp);
        for (int t : {1, 2}) {
          Clustering o = dbscan(x, y, {eps, mp, t});
          ASSERT_EQ(o.label, b.label)
              << "seed " << seed << " eps " << eps << " min " << mp << " threads " << t;
          ASSERT_EQ(o.core, b.core);
        }
      }
    }
  }
}

TEST(Dbscan, TiesExactlyAtEpsAreNeighbours) {
  // Three points 1 apart on a line: with eps = 1 and min_points = 2 all are core and one cluster.
  Clustering c = dbscan({0, 1, 2, 10}, {0, 0, 0, 0}, {1.0, 2, 1});
  EXPECT_EQ(c.label, (std::vector<std::int32_t>{0, 0, 0, -1}));
  EXPECT_EQ(c.core, (std::vector<std::uint8_t>{1, 1, 1, 0}));
  // A diagonal pair at exactly eps (3-4-5 triangle).
  Clustering d = dbscan({0, 3}, {0, 4}, {5.0, 2, 1});
  EXPECT_EQ(d.label, (std::vector<std::int32_t>{0, 0}));
}

TEST(Dbscan, BorderTieGoesToLowerIndexCore) {
  // P (index 4) at 0 is a border point exactly 1 from core B (index 0, at 1) and core A (index 5,
  // at -1); each core has a stack of three points behind it.
  std::vector<double> x = {1, 2, 2, 2, 0, -1, -2, -2, -2}, y(9, 0.0);
  Clustering c = dbscan(x, y, {1.0, 4, 1});
  ASSERT_EQ(c.core, (std::vector<std::uint8_t>{1, 1, 1, 1, 0, 1, 1, 1, 1}));
  EXPECT_EQ(c.label[4], c.label[0]);
  EXPECT_NE(c.label[4], c.label[5]);
  EXPECT_EQ(c.label[0], 0);  // 5 points against 4
  EXPECT_EQ(c.label[5], 1);
  // Mirrored indices: the tie now goes to A.
  std::vector<double> xm = {-1, -2, -2, -2, 0, 1, 2, 2, 2};
  Clustering m = dbscan(xm, y, {1.0, 4, 1});
  EXPECT_EQ(m.label[4], m.label[0]);
}

TEST(Dbscan, ManyDuplicatesAreFastAndCorrect) {
  std::vector<double> x(200000, 5.0), y(200000, 7.0);
  x.push_back(5.5);
  y.push_back(7.0);
  x.push_back(100);
  y.push_back(100);
  Clustering c = dbscan(x, y, {1.0, 10, 2});
  EXPECT_EQ(c.clusters(), 1);
  EXPECT_EQ(c.size[0], 200001);
  EXPECT_EQ(c.label.back(), -1);
  EXPECT_EQ(c.core[200000], 1);  // 200000 duplicates within 0.5
}

TEST(Dbscan, RejectsBadOptions) {
  EXPECT_THROW(dbscan({0}, {0}, {0.0, 5, 1}), UsageError);
  EXPECT_THROW(dbscan({0}, {0}, {1.0, 0, 1}), UsageError);
  EXPECT_THROW(dbscan({0, std::nan("")}, {0, 0}, {1.0, 2, 1}), InputError);
  EXPECT_THROW(dbscan({0, 1e12}, {0, 0}, {1e-3, 2, 1}), UsageError);
  EXPECT_EQ(dbscan(std::vector<double>{}, std::vector<double>{}, {1.0, 2, 1}).clusters(), 0);
}

// The one-call API runs the method asked for, and its checks name the parameter at fault.
TEST(Cluster, DispatchesAndNamesParameters) {
  std::vector<double> x, y;
  std::vector<std::int64_t> t;
  for (int i = 0; i < 40; ++i) {
    x.push_back(i % 2 ? 0.1 * i : 100 + 0.1 * i);
    y.push_back(0);
    t.push_back(i);
  }
  ClusterOptions o;
  o.eps_m = 1;
  o.min_points = 3;
  o.threads = 2;
  const Clustering a = cluster(x, y, t, o), b = dbscan(x, y, {1.0, 3, 1});
  EXPECT_EQ(a.label, b.label);
  EXPECT_EQ(a.clusters(), 2);

  auto parameter_of = [&](const ClusterOptions& opt) {
    try {
      cluster(x, y, t, opt);
    } catch (const ParameterError& e) {
      return e.parameter();
    }
    return std::string();
  };
  ClusterOptions bad = o;
  bad.eps_m = 0;  // not given
  EXPECT_EQ(parameter_of(bad), "eps");
  bad = o;
  bad.min_points = 0;
  EXPECT_EQ(parameter_of(bad), "min_points");
  bad = o;
  bad.method = ClusterMethod::kStDbscan;  // needs eps_time
  EXPECT_EQ(parameter_of(bad), "eps_time");
  bad.eps_time_s = std::int64_t{1} << 51;
  EXPECT_EQ(parameter_of(bad), "eps_time");
  bad = {};
  bad.method = ClusterMethod::kHdbscan;  // needs no eps
  bad.hdbscan.min_cluster_size = 1;
  EXPECT_EQ(parameter_of(bad), "min_cluster_size");
  bad.hdbscan.min_cluster_size = 5;
  bad.hdbscan.min_samples = 1000;
  EXPECT_EQ(parameter_of(bad), "min_samples");
  bad = o;
  bad.concave_ratio = 1.5;
  EXPECT_EQ(parameter_of(bad), "concave_ratio");
  try {
    dbscan({0, 1e12}, {0, 0}, {1e-3, 2, 1});
    ADD_FAILURE();
  } catch (const ParameterError& e) {
    EXPECT_EQ(e.parameter(), "eps");
    EXPECT_EQ(std::string(e.what()).find("--"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace hotspot
