// The kd-tree's k-th nearest distance against a brute-force twin, on seeded points with many
// duplicates and collinear runs, for k on both sides of the small-k path (kSmallK = 64).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "cluster/kdtree.hpp"

namespace hotspot::cluster_detail {
namespace {

double brute_kth_d2(const std::vector<double>& x, const std::vector<double>& y, std::size_t i, int k) {
  std::vector<double> d(x.size());
  for (std::size_t j = 0; j < x.size(); ++j) {
    const double dx = x[i] - x[j], dy = y[i] - y[j];
    d[j] = dx * dx + dy * dy;
  }
  if (static_cast<std::size_t>(k) > d.size()) return std::numeric_limits<double>::infinity();
  std::nth_element(d.begin(), d.begin() + (k - 1), d.end());
  return d[static_cast<std::size_t>(k - 1)];
}

TEST(KdTree, KthDistanceMatchesBruteForce) {
  std::mt19937_64 rng(17);
  for (int trial = 0; trial < 6; ++trial) {
    std::vector<double> x, y;
    std::uniform_real_distribution<double> u(0, 1000);
    const int n = 300 + 150 * trial;
    for (int i = 0; i < n; ++i) {
      if (i % 7 == 3 && !x.empty()) {  // a duplicate of an earlier point
        x.push_back(x[static_cast<std::size_t>(i / 2)]);
        y.push_back(y[static_cast<std::size_t>(i / 2)]);
      } else if (i % 11 == 5) {  // on one line
        x.push_back(u(rng));
        y.push_back(500);
      } else {
        x.push_back(std::round(u(rng)));  // rounded: ties between distances
        y.push_back(std::round(u(rng)));
      }
    }
    const KdTree tree(x, y, static_cast<std::uint32_t>(1 + trial * 3));
    for (int k : {1, 2, 5, 10, 63, 64, 65, 100}) {
      for (std::uint32_t p = 0; p < static_cast<std::uint32_t>(n); p += 7)
        ASSERT_EQ(tree.kth_d2(p, k), brute_kth_d2(tree.x, tree.y, p, k)) << "k " << k << " p " << p;
    }
  }
}

TEST(KdTree, KBeyondThePointsIsInfinite) {
  const std::vector<double> x{0, 1, 2}, y{0, 0, 0};
  const KdTree tree(x, y);
  EXPECT_EQ(tree.kth_d2(0, 3), 4.0);
  EXPECT_EQ(tree.kth_d2(0, 4), std::numeric_limits<double>::infinity());
  EXPECT_EQ(tree.kth_d2(0, 70), std::numeric_limits<double>::infinity());
}

}  // namespace
}  // namespace hotspot::cluster_detail
