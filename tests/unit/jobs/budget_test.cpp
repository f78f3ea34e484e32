// The resource estimators of jobs/budget.hpp against closed forms and brute-force counts, and the
// refusals they lead to.
#include "jobs/budget.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "hotspot/error.hpp"
#include "util/time.hpp"

namespace hotspot {
namespace {

TEST(Budget, ParsesMemorySizes) {
  EXPECT_EQ(parse_memory_size("512M"), 512ull << 20);
  EXPECT_EQ(parse_memory_size("4G"), 4ull << 30);
  EXPECT_EQ(parse_memory_size("4GiB"), 4ull << 30);
  EXPECT_EQ(parse_memory_size("4gb"), 4ull << 30);
  EXPECT_EQ(parse_memory_size("1.5G"), 3ull << 29);
  EXPECT_EQ(parse_memory_size("1073741824"), 1ull << 30);
  EXPECT_EQ(parse_memory_size("2T"), 2ull << 40);
  for (const char* bad : {"", "abc", "4X", "-1G", "G", " 4G", "nanG", "infG", "1e400", "4 G"})
    EXPECT_THROW(parse_memory_size(bad), UsageError) << bad;
  EXPECT_THROW(parse_memory_size("0.5K"), UsageError);  // below 1M
  EXPECT_THROW(parse_memory_size("0"), UsageError);
}

TEST(Budget, DefaultIsHalfThePhysicalMemory) {
  EXPECT_GT(physical_memory_bytes(), 0u);
  EXPECT_EQ(resolve_max_memory(0), physical_memory_bytes() / 2);
  EXPECT_EQ(resolve_max_memory(123ull << 20), 123ull << 20);
}

TEST(Budget, Texts) {
  EXPECT_EQ(bytes_text(512), "512 B");
  EXPECT_EQ(bytes_text(1536), "1.5 KiB");
  EXPECT_EQ(bytes_text(9.5 * (1ull << 30)), "9.5 GiB");
  EXPECT_EQ(count_text(1234567), "1,234,567");
  EXPECT_EQ(count_text(999), "999");
  EXPECT_EQ(count_text(1e20), "1e+20");
}

// Brute force: every pair within the band, both directions.
double brute_links(const std::vector<XY>& xy, double band) {
  double n = 0;
  for (std::size_t i = 0; i < xy.size(); ++i)
    for (std::size_t j = 0; j < xy.size(); ++j)
      n += i != j && std::hypot(xy[i].x - xy[j].x, xy[i].y - xy[j].y) <= band;
  return n;
}

TEST(Budget, BandLinksExactForSmallSetsAndCloseForLarge) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0, 10000);
  for (std::size_t n : {2u, 3u, 50u, 256u}) {
    std::vector<XY> xy(n);
    for (auto& p : xy) p = {u(rng), u(rng)};
    for (double band : {100.0, 1000.0, 5000.0, 20000.0})
      EXPECT_DOUBLE_EQ(band_links(xy, band), brute_links(xy, band)) << n << " " << band;
  }
  std::vector<XY> xy(1500);
  for (auto& p : xy) p = {u(rng), u(rng)};
  for (double band : {500.0, 2000.0}) {
    const double exact = brute_links(xy, band), est = band_links(xy, band);
    EXPECT_NEAR(est / exact, 1.0, 0.15) << band;
  }
  // Every unit a neighbour of every other: n (n - 1) links.
  EXPECT_DOUBLE_EQ(band_links(xy, 1e9), 1500.0 * 1499.0);
}

// The sampled estimate as first written: each of the 256 sample units against every point.
double sampled_links(const std::vector<XY>& xy, double band) {
  const std::size_t n = xy.size(), samples = std::min<std::size_t>(n, 256);
  double found = 0;
  for (std::size_t s = 0; s < samples; ++s) {
    const std::size_t i = s * n / samples;
    for (std::size_t j = 0; j < n; ++j) {
      const double dx = xy[j].x - xy[i].x, dy = xy[j].y - xy[i].y;
      found += j != i && dx * dx + dy * dy <= band * band;
    }
  }
  return found / static_cast<double>(samples) * static_cast<double>(n);
}

// The x-sorted samples give exactly that estimate, with points exactly a band apart in x or y,
// duplicates, and a band wider than the data.
TEST(Budget, BandLinksEqualTheSampleAgainstEveryPoint) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0, 5000);
  std::vector<XY> xy;
  for (std::size_t k = 0; k < 3000; ++k) {
    XY p = {std::round(u(rng)), std::round(u(rng))};
    if (k % 5 == 1) p = {xy.back().x + 100, xy.back().y};    // exactly 100 m east
    if (k % 5 == 2) p = {xy.back().x, xy.back().y - 250};    // exactly 250 m south
    if (k % 7 == 3) p = xy.back();                           // a duplicate
    xy.push_back(p);
  }
  for (double band : {1.0, 100.0, 250.0, 333.3, 5000.0, 1e7})
    EXPECT_EQ(band_links(xy, band), sampled_links(xy, band)) << band;
}

TEST(Budget, GridAndKdeAndCubeArithmetic) {
  // 10 km square, 100 m squares: (10,000 + 200)² / 100² cells.
  EXPECT_NEAR(grid_cells({0, 0, 10000, 10000}, 100, false), 10404, 1e-6);
  // Hexagons of centre spacing s cover (√3/2) s² each.
  EXPECT_NEAR(grid_cells({0, 0, 10000, 10000}, 100, true), 10404 / (std::sqrt(3.0) / 2), 1e-6);
  EXPECT_EQ(grid_cells(Box{}, 100, true), 0);
  // The KDE: 0.7 m cells over 30 km, about 1.8e9 cells and far above 8 GiB.
  const double cells = std::pow(std::ceil(30000 / 0.7), 2);
  EXPECT_GT(kde_bytes(cells, false), 8.0 * (1ull << 30));
  EXPECT_EQ(kde_bytes(1000, true) - kde_bytes(1000, false), 5000);
  // A daily cube over 10 years on 1,000 cells: 3.65 M bins, Mann-Kendall 1.3e10 comparisons.
  EXPECT_DOUBLE_EQ(cube_work(1000, 3653), 1000.0 * 3653 * 3653);
  EXPECT_DOUBLE_EQ(cube_bytes(10, 10), 100 * 56.0);
  EXPECT_DOUBLE_EQ(permutation_work(8e4, 1e4, 999), 999 * 9e4);
  EXPECT_GT(weights_bytes(4e8, 2e4), 16.0 * (1ull << 30));  // band:1e9 on 20k units
}

TEST(Budget, RefusalsNameEstimateLimitAndOption) {
  try {
    require_memory("cell_size", 40.0 * (1ull << 30), 4ull << 30, "a density grid",
                   "Use a larger --cell-size.");
    FAIL() << "not refused";
  } catch (const ParameterError& e) {
    const std::string m = e.what();
    EXPECT_EQ(e.parameter(), "cell_size");
    EXPECT_NE(m.find("40.0 GiB"), std::string::npos) << m;
    EXPECT_NE(m.find("4.0 GiB"), std::string::npos) << m;
    EXPECT_NE(m.find("--max-memory"), std::string::npos) << m;
    EXPECT_NE(m.find("--cell-size"), std::string::npos) << m;
  }
  EXPECT_NO_THROW(require_memory("x", 100, 100, "", ""));
  EXPECT_THROW(require_memory("time_step", 1e12, 1ull << 30, "cube", "", true), InputError);
  EXPECT_THROW(require_work("permutations", kMaxWork * 2, kMaxWork, "perms", ""), ParameterError);
  EXPECT_NO_THROW(require_work("permutations", kMaxWork * 2, kMaxKnoxWork, "knox", ""));
  EXPECT_NO_THROW(require_work("permutations", kMaxWork, kMaxWork, "perms", ""));
}

std::int64_t utc(int y, unsigned m, unsigned d) { return days_from_civil(y, m, d) * 86400 + 3600; }

TEST(Budget, TimeOutliersAreNamed) {
  std::vector<std::int64_t> t;
  for (int k = 0; k < 500; ++k) t.push_back(utc(2015, 1, 3) + k * 86400 * 7);
  EXPECT_EQ(time_outliers(t, 0), "");  // evenly spread: nothing stands out
  t.push_back(utc(24, 3, 1));
  EXPECT_EQ(time_outliers(t, 0), "1 incident dated 0024-03-01 (the next is 2015-01-03)");
  t.push_back(utc(24, 3, 9));
  EXPECT_EQ(time_outliers(t, 0), "2 incidents dated 0024-03-01 .. 0024-03-09 (the next is 2015-01-03)");
  t.resize(500);
  t.push_back(utc(9999, 12, 31));
  EXPECT_EQ(time_outliers(t, 0), "1 incident dated 9999-12-31 (the previous is 2024-07-27)");
  t.push_back(kNoTime);  // ignored
  EXPECT_EQ(time_outliers(t, 0), "1 incident dated 9999-12-31 (the previous is 2024-07-27)");
  // Two halves far apart: a gap, but no few incidents to blame.
  std::vector<std::int64_t> halves;
  for (int k = 0; k < 100; ++k) halves.push_back(utc(1900, 1, 1) + k * 86400);
  for (int k = 0; k < 100; ++k) halves.push_back(utc(2000, 1, 1) + k * 86400);
  EXPECT_EQ(time_outliers(halves, 0), "");
  EXPECT_EQ(time_outliers({}, 0), "");
}

}  // namespace
}  // namespace hotspot
