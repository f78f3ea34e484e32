// Near repeat (Knox) against a brute-force count, Mann-Kendall against scipy on real data
// (spatstat's clmfires, tests/golden/make_mann_kendall_reference.py), 24 x 7 profiles.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "hotspot/error.hpp"
#include "hotspot/spacetime.hpp"

namespace hotspot {
namespace {

Incidents random_incidents(std::size_t n, std::uint64_t seed, bool plant_near_repeats) {
  Incidents inc;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> xy(0, 3000), day(0, 365);
  auto add = [&](double x, double y, double d) {
    inc.x.push_back(x), inc.y.push_back(y), inc.time_utc.push_back(static_cast<std::int64_t>(d * 86400));
    inc.lon.push_back(NAN), inc.lat.push_back(NAN), inc.category.push_back(Dictionary::kNone);
    inc.line.push_back(static_cast<std::int64_t>(inc.x.size()));
    inc.id.push_back(std::to_string(inc.x.size()));
  };
  for (std::size_t i = 0; i < n; ++i) {
    double x = xy(rng), y = xy(rng), d = day(rng);
    add(x, y, d);
    // A burglary followed by another within 50 m and 5 days.
    if (plant_near_repeats && i % 3 == 0) add(x + 30, y + 20, d + 2.5);
  }
  // Exact band edges: 100 m and 7 days apart, on the edge (counts in the lower band).
  add(5000, 5000, 10);
  add(5100, 5000, 17);
  inc.time_utc.push_back(kNoTime), inc.x.push_back(1), inc.y.push_back(1);  // no time: left out
  inc.lon.push_back(NAN), inc.lat.push_back(NAN), inc.category.push_back(Dictionary::kNone);
  inc.line.push_back(0), inc.id.push_back("none");
  return inc;
}

KnoxOptions options(int permutations, int threads) {
  KnoxOptions o;
  o.space_bands = {0, 100, 200, 400};
  o.time_bands_days = {0, 7, 14, 28};
  o.permutations = permutations;
  o.seed = 7;
  o.threads = threads;
  return o;
}

TEST(Knox, ObservedCountsEqualTheBruteForceCount) {
  Incidents inc = random_incidents(1500, 3, true);
  KnoxResult r = knox_test(inc, options(0, 1));
  std::vector<std::int64_t> brute = knox_counts_brute_force(inc, options(0, 1));
  ASSERT_EQ(r.cells.size(), brute.size());
  for (std::size_t c = 0; c < brute.size(); ++c) EXPECT_EQ(r.cells[c].observed, brute[c]) << c;
  EXPECT_EQ(r.without_time, 1);
  EXPECT_EQ(r.incidents_used, static_cast<std::int64_t>(inc.size()) - 1);
}

TEST(Knox, PlantedNearRepeatsAreFoundAndChanceIsNot) {
  KnoxResult planted = knox_test(random_incidents(1500, 5, true), options(99, 2));
  const KnoxCell& close = planted.cells[0];  // 0-100 m, 0-7 days
  // 500 planted pairs plus ~7,000 chance pairs within 100 m, of which ~4 % fall within 7 days by
  // chance: observed ~ 500 + 280 against ~ 300 expected, a ratio near 2.6.
  EXPECT_GT(close.ratio, 2.0);
  EXPECT_DOUBLE_EQ(close.p_value, 1.0 / 100.0);  // no permutation reaches the observed count
  KnoxResult chance = knox_test(random_incidents(1500, 5, false), options(99, 2));
  for (const auto& c : chance.cells) {
    EXPECT_GT(c.p_value, 0.01) << c.space_band << "," << c.time_band;
    EXPECT_NEAR(c.ratio, 1.0, 0.6);
  }
}

TEST(Knox, SameResultsAtAnyThreadCount) {
  Incidents inc = random_incidents(800, 9, true);
  KnoxResult one = knox_test(inc, options(40, 1)), two = knox_test(inc, options(40, 2));
  ASSERT_EQ(one.cells.size(), two.cells.size());
  for (std::size_t c = 0; c < one.cells.size(); ++c) {
    EXPECT_EQ(one.cells[c].expected, two.cells[c].expected);
    EXPECT_EQ(one.cells[c].p_value, two.cells[c].p_value);
  }
}

TEST(Knox, BadBandsAreUsageErrors) {
  Incidents inc = random_incidents(10, 1, false);
  KnoxOptions o = options(9, 1);
  o.space_bands = {0, 200, 100};
  EXPECT_THROW(knox_test(inc, o), UsageError);
  o = options(9, 1);
  o.time_bands_days = {7};
  EXPECT_THROW(knox_test(inc, o), UsageError);
}

std::vector<double> parse_values(const std::string& s) {
  std::vector<double> v;
  std::istringstream in(s);
  double x;
  while (in >> x) v.push_back(x);
  return v;
}

TEST(MannKendall, AgreesWithScipyOnClmfires) {
  std::ifstream series_file(std::string(HOTSPOT_SOURCE_DIR) + "/tests/golden/clmfires_series.csv");
  std::ifstream ref_file(std::string(HOTSPOT_SOURCE_DIR) + "/tests/golden/clmfires_mann_kendall.csv");
  ASSERT_TRUE(series_file && ref_file);
  std::map<std::string, std::vector<double>> series;
  std::string line;
  std::getline(series_file, line);
  while (std::getline(series_file, line)) {
    auto comma = line.find(',');
    series[line.substr(0, comma)] = parse_values(line.substr(comma + 1));
  }
  std::getline(ref_file, line);
  int checked = 0;
  while (std::getline(ref_file, line)) {
    std::istringstream in(line);
    std::string name, n, s, tau, p;
    std::getline(in, name, ','), std::getline(in, n, ','), std::getline(in, s, ',');
    std::getline(in, tau, ','), std::getline(in, p, ',');
    MannKendall mk = mann_kendall(series.at(name));
    EXPECT_EQ(mk.n, std::stoul(n)) << name;
    EXPECT_EQ(mk.s, std::stod(s)) << name;
    EXPECT_NEAR(mk.tau, std::stod(tau), 1e-12) << name;
    EXPECT_NEAR(mk.p_value, std::stod(p), 1e-12 + 1e-9 * std::stod(p)) << name;
    ++checked;
  }
  EXPECT_EQ(checked, 10);
}

TEST(MannKendall, ClosedForms) {
  MannKendall up = mann_kendall({1, 2, 3, 4, 5});
  EXPECT_EQ(up.s, 10);
  EXPECT_DOUBLE_EQ(up.var_s, 5 * 4 * 15 / 18.0);
  EXPECT_DOUBLE_EQ(up.tau, 1.0);
  MannKendall flat = mann_kendall({3, 3, 3, 3});
  EXPECT_EQ(flat.s, 0);
  EXPECT_EQ(flat.var_s, 0);
  EXPECT_EQ(flat.z, 0);
  EXPECT_EQ(flat.p_value, 1);
  EXPECT_EQ(mann_kendall({}).n, 0u);
}

TEST(WeekProfile, LocalWeekdayAndHour) {
  Incidents inc;
  // 2024-03-05T15:14:09Z is Tuesday 22:14 in Hai Phong (UTC+7); 2024-03-03T17:30:00Z is Monday
  // 00:30 local.
  for (std::int64_t t : {1709651649LL, 1709487000LL}) {
    inc.x.push_back(0), inc.y.push_back(0), inc.time_utc.push_back(t);
  }
  inc.x.push_back(0), inc.y.push_back(0), inc.time_utc.push_back(kNoTime);
  auto p = week_profiles(inc.time_utc, {0, 0, 0}, 1, 7 * 60);
  EXPECT_EQ(p[0][1 * 24 + 22], 1);
  EXPECT_EQ(p[0][0 * 24 + 0], 1);
  std::int64_t total = 0;
  for (auto c : p[0]) total += c;
  EXPECT_EQ(total, 2);
  PeakHours peak = peak_hours(p[0], 3);
  EXPECT_EQ(peak.start_hour, 22);  // 22:00-01:00 wraps past midnight and holds both
  EXPECT_EQ(peak.incidents, 2);
  EXPECT_DOUBLE_EQ(peak.share, 1.0);
}

}  // namespace
}  // namespace hotspot
