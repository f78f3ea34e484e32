#pragma once
// Helpers for the cluster tests: golden CSV files, seeded points, adjusted Rand index.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <map>
#include <set>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace hotspot::test {

// Numeric CSV with a header row; columns as vectors.
inline std::vector<std::vector<double>> read_numeric_csv(const std::string& name) {
  const std::string path = std::string(HOTSPOT_SOURCE_DIR) + "/tests/golden/cluster/" + name;
  std::ifstream f(path);
  EXPECT_TRUE(f.good()) << path;
  std::string line;
  std::getline(f, line);
  std::vector<std::vector<double>> cols;
  while (std::getline(f, line)) {
    if (line.empty()) continue;
    std::stringstream ss(line);
    std::string cell;
    std::size_t k = 0;
    while (std::getline(ss, cell, ',')) {
      if (cols.size() <= k) cols.emplace_back();
      if (cell == "NA") cols[k].push_back(std::nan(""));
      else cols[k].push_back(std::stod(cell));
      ++k;
    }
  }
  return cols;
}

inline double choose2(double n) { return n * (n - 1) / 2; }

// Adjusted Rand index (Hubert & Arabie); every label value, noise included, is one class.
template <class A, class B>
double adjusted_rand(const std::vector<A>& a, const std::vector<B>& b) {
  std::map<std::pair<double, double>, double> joint;
  std::map<double, double> ra, rb;
  for (std::size_t i = 0; i < a.size(); ++i) {
    ++joint[{static_cast<double>(a[i]), static_cast<double>(b[i])}];
    ++ra[static_cast<double>(a[i])];
    ++rb[static_cast<double>(b[i])];
  }
  double sj = 0, sa = 0, sb = 0;
  for (const auto& [k, v] : joint) sj += choose2(v);
  for (const auto& [k, v] : ra) sa += choose2(v);
  for (const auto& [k, v] : rb) sb += choose2(v);
  const double expected = sa * sb / choose2(static_cast<double>(a.size()));
  const double maxv = (sa + sb) / 2;
  return maxv == expected ? 1.0 : (sj - expected) / (maxv - expected);
}

// Seeded points: clumps around a few centres, a stack of exact duplicates, and lattice points
// (exact ties at integer distances).
inline void seeded_points(std::uint32_t seed, std::size_t n, std::vector<double>& x, std::vector<double>& y) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 100);
  std::normal_distribution<double> g(0, 2.0);
  std::uniform_int_distribution<int> lattice(0, 40);
  x.clear();
  y.clear();
  double cx[5], cy[5];
  for (int c = 0; c < 5; ++c) {
    cx[c] = u(rng);
    cy[c] = u(rng);
  }
  for (std::size_t i = 0; i < n; ++i) {
    const auto kind = i % 4;
    if (kind == 0) {
      x.push_back(u(rng));
      y.push_back(u(rng));
    } else if (kind == 1) {
      const auto c = static_cast<std::size_t>(i / 4) % 5;
      x.push_back(cx[c] + g(rng));
      y.push_back(cy[c] + g(rng));
    } else if (kind == 2) {
      x.push_back(static_cast<double>(lattice(rng)));
      y.push_back(static_cast<double>(lattice(rng)));
    } else {
      x.push_back(cx[0]);  // one address, many incidents
      y.push_back(cy[0]);
    }
  }
}

}  // namespace hotspot::test
