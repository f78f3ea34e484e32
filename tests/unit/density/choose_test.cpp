// What the kde step decides, called directly with plain values: the bandwidth from its spec
// (with the kernel conversion at equal variance), the grid, the zone rule, and the incidents the
// shared time window and categories keep.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "hotspot/density.hpp"
#include "hotspot/error.hpp"
#include "hotspot/ingest.hpp"
#include "hotspot/jobs/kde.hpp"

namespace hotspot {
namespace {

// The parameter a ParameterError names, or "" when f throws nothing of the kind.
template <class F>
std::string parameter_of(F&& f) {
  try {
    f();
  } catch (const ParameterError& e) {
    return e.parameter();
  }
  return "";
}

TEST(BandwidthSpec, ParsesRulesAndLengths) {
  EXPECT_EQ(parse_bandwidth("auto").rule, BandwidthRule::kAuto);
  EXPECT_EQ(parse_bandwidth("scott").rule, BandwidthRule::kScott);
  EXPECT_EQ(parse_bandwidth("cv").rule, BandwidthRule::kCv);
  for (const auto& [text, metres] :
       std::vector<std::pair<std::string, double>>{{"500", 500}, {"500m", 500}, {"0.5km", 500}}) {
    const BandwidthSpec b = parse_bandwidth(text);
    EXPECT_EQ(b.rule, BandwidthRule::kGiven) << text;
    EXPECT_DOUBLE_EQ(b.metres, metres) << text;
    EXPECT_EQ(b.text, text);
  }
  EXPECT_EQ(bandwidth_metres(500).text, "500m");
  for (const char* bad : {"0.005deg", "5°", "wide", "0", "-3m", ""})
    EXPECT_EQ(parameter_of([&] { parse_bandwidth(bad); }), "bandwidth") << bad;
  EXPECT_EQ(parameter_of([] { bandwidth_metres(0); }), "bandwidth");
}

TEST(ChooseBandwidth, CarriesEachRuleToTheKernelAtEqualVariance) {
  const std::vector<double> x = {0, 40, 10, 90, 55, 70, 20, 35, 80, 5},
                            y = {0, 10, 60, 30, 45, 90, 25, 75, 5, 50};
  const Box window{0, 0, 100, 100};
  for (Kernel k : {Kernel::kQuartic, Kernel::kGaussian, Kernel::kUniform}) {
    // auto is a quartic radius: the same spread in the kernel asked for.
    const BandwidthChoice a = choose_bandwidth({}, k, x, y, {}, window, 1, "m");
    EXPECT_NEAR(a.bandwidth_m,
                bandwidth_arcgis(x, y, {}) * kernel_sigma(Kernel::kQuartic) / kernel_sigma(k),
                1e-9);
    EXPECT_EQ(a.detail.rfind("auto (ArcGIS spatial Silverman: quartic radius ", 0), 0u) << a.detail;
    // scott and cv are a Gaussian σ.
    const BandwidthChoice s =
        choose_bandwidth(parse_bandwidth("scott"), k, x, y, {}, window, 1, "m");
    EXPECT_NEAR(s.bandwidth_m, bandwidth_scott(x, y) / kernel_sigma(k), 1e-9);
    const BandwidthChoice c = choose_bandwidth(parse_bandwidth("cv"), k, x, y, {}, window, 1, "m");
    ASSERT_TRUE(c.cv.has_value());
    EXPECT_NEAR(c.bandwidth_m, bandwidth_cv(x, y, window, 1).sigma_m / kernel_sigma(k), 1e-9);
    // A given length is taken as it is, whatever the kernel.
    const BandwidthChoice g =
        choose_bandwidth(parse_bandwidth("250m"), k, x, y, {}, window, 1, "m");
    EXPECT_EQ(g.bandwidth_m, 250);
    EXPECT_EQ(g.detail, "given");
    EXPECT_FALSE(g.cv.has_value());
  }
  // The lengths in the detail carry the caller's unit: data units on planar data.
  const std::string planar = choose_bandwidth(parse_bandwidth("scott"), Kernel::kQuartic, x, y, {},
                                              window, 1, "data units")
                                 .detail;
  EXPECT_EQ(planar.rfind("scott (Gaussian σ ", 0), 0u) << planar;
  EXPECT_EQ(planar.substr(planar.size() - 12), " data units)") << planar;
  // With the Gaussian, scott's h is its σ exactly.
  EXPECT_EQ(choose_bandwidth(parse_bandwidth("scott"), Kernel::kGaussian, x, y, {}, window, 1, "m")
                .bandwidth_m,
            bandwidth_scott(x, y));
}

TEST(ChooseGrid, GivenExtentOrTheAreaGrownByOneBandwidth) {
  const Grid g = choose_grid(std::nullopt, {100, 200, 300, 250}, 50, 10, "m");
  EXPECT_EQ(g.xmin, 50);
  EXPECT_EQ(g.ymax, 300);
  EXPECT_EQ(g.cols, 30);
  EXPECT_EQ(g.rows, 15);
  const Grid e = choose_grid(Box{0, 0, 95, 40}, {100, 200, 300, 250}, 50, 10, "m");
  EXPECT_EQ(e.xmin, 0);
  EXPECT_EQ(e.ymax, 40);
  EXPECT_EQ(e.cols, 10);  // ceil(9.5)
  EXPECT_EQ(e.rows, 4);
  EXPECT_EQ(parameter_of([] { choose_grid(std::nullopt, {0, 0, 10, 10}, 1, 0, "m"); }), "cell_size");
  EXPECT_EQ(parameter_of([] {
              choose_grid(std::nullopt, {0, 0, 1e9, 1e9}, 1, 1e-3, "m");
            }),
            "cell_size");
  EXPECT_EQ(parameter_of([] { grid_for_extent({0, 0, 0, 10}, 1); }), "extent");
  // A planar extent of 1e300 data units: counted as doubles (no integer overflow), in data units.
  try {
    grid_for_extent({0, 0, 1e300, 1e300}, 1, 2'000'000'000, "data units");
    ADD_FAILURE() << "a grid of 1e300 cells per side was accepted";
  } catch (const ParameterError& err) {
    EXPECT_EQ(err.problem(), "a grid of 1e+300 × 1e+300 cells of 1 data unit is too large; use a "
                           "larger cell_size or a smaller extent");
  }
}

TEST(AreaUnit, NamesAndScales) {
  EXPECT_EQ(parse_area_unit("ha"), AreaUnit::kHa);
  EXPECT_EQ(area_scale(AreaUnit::kKm2), 1e6);
  EXPECT_EQ(area_scale(AreaUnit::kHa), 1e4);
  EXPECT_EQ(area_scale(AreaUnit::kM2), 1);
  EXPECT_STREQ(area_unit_label(AreaUnit::kKm2), "km²");
  EXPECT_STREQ(area_unit_label(AreaUnit::kKm2, /*planar=*/true), "(1000 data units)²");
  EXPECT_STREQ(area_unit_label(AreaUnit::kHa, /*planar=*/true), "(100 data units)²");
  EXPECT_STREQ(area_unit_label(AreaUnit::kM2, /*planar=*/true), "data unit²");
  EXPECT_EQ(parameter_of([] { parse_area_unit("acre"); }), "area_unit");
  EXPECT_EQ(parameter_of([] { parse_kernel("biweight"); }), "kernel");
}

TEST(ZoneRule, ChecksItsRangeAndGivesTheThreshold) {
  EXPECT_EQ(parameter_of([] { zone_rule(ZoneRule::Kind::kTopPercent, 0); }), "top_percent");
  EXPECT_EQ(parameter_of([] { zone_rule(ZoneRule::Kind::kTopPercent, 101); }), "top_percent");
  EXPECT_EQ(parameter_of([] { zone_rule(ZoneRule::Kind::kPercentile, 101); }), "percentile");
  EXPECT_EQ(parameter_of([] { zone_rule(ZoneRule::Kind::kThreshold, -1); }), "threshold");
  EXPECT_EQ(parameter_of([] { zone_rule(ZoneRule::Kind::kThreshold, NAN); }), "threshold");

  DensityRaster r;
  r.grid = grid_for_extent({0, 0, 40, 10}, 10);  // 4 cells in a row
  r.values = {4, 3, 2, 1};
  const std::vector<double> x = {5, 15, 25, 25, 25, 25, 25, 25, 35, 35}, y(10, 5);
  const ZoneThreshold none = zone_threshold({}, r, x, y);
  EXPECT_EQ(none.value, -1);
  EXPECT_EQ(none.rule, "");
  const ZoneThreshold top = zone_threshold(zone_rule(ZoneRule::Kind::kTopPercent, 20), r, x, y);
  EXPECT_EQ(top.value, 3);
  EXPECT_EQ(top.rule, "top 20 % of incidents");
  const ZoneThreshold pct = zone_threshold(zone_rule(ZoneRule::Kind::kPercentile, 90), r, x, y);
  EXPECT_NEAR(pct.value, 3.7, 1e-6);
  EXPECT_EQ(pct.rule, "90th percentile of positive cells");
  const ZoneThreshold given = zone_threshold(zone_rule(ZoneRule::Kind::kThreshold, 2.5), r, x, y);
  EXPECT_EQ(given.value, 2.5);
  EXPECT_EQ(given.rule, "given");
}

// ---- The incidents a surface is estimated from -----------------------------------------------

// UTC seconds of a local time at UTC+07:00.
std::int64_t at_local(int day_of_march_2024, int hour, int minute = 0) {
  const std::int64_t march_1 = 19783;  // days from 1970-01-01 to 2024-03-01 (a Friday)
  return (march_1 + day_of_march_2024 - 1) * 86400 + hour * 3600 + minute * 60 - 7 * 3600;
}

TEST(SelectPoints, ShiftsThatWrapMidnightBelongToTheEveningTheyStart) {
  // 22:00-04:00 up to Friday 1 March: Saturday 01:00 is the end of Friday's shift and stays in;
  // Friday 01:00 is the end of Thursday's shift, before the window, and is out.
  TimeWindow w;
  set_window_from(w, "2024-03-01");
  set_window_to(w, "2024-03-01");
  set_window_hours(w, "22:00-04:00");
  const std::vector<std::int64_t> t = {at_local(1, 23), at_local(2, 1), at_local(1, 1),
                                       at_local(1, 12), kNoTime,        at_local(3, 23)};
  const std::vector<double> x = {1, 2, 3, 4, 5, 6}, y = {0, 0, 0, 0, 0, 0};
  const std::vector<std::uint32_t> cat(6, 0);
  const KdePoints p = select_points(x, y, {}, t, cat, {}, w, 7 * 60);
  EXPECT_EQ(p.x, std::vector<double>({1, 2}));
  EXPECT_EQ(p.index, std::vector<std::size_t>({0, 1}));
  EXPECT_EQ(p.by_date, 2);  // Thursday's shift, Sunday's
  EXPECT_EQ(p.by_hour, 1);  // noon
  EXPECT_EQ(p.no_time, 1);
  EXPECT_EQ(p.by_category, 0);
}

TEST(SelectPoints, DaysPickTheDayAShiftBegins) {
  // The kde's `days` parameter, through its table: Friday and Saturday shifts of 22:00-04:00.
  KdeStepOptions o;
  apply_params(kde_params(), {{"cell_size", 50}, {"days", "fri,sat"}, {"hours", "22:00-04:00"}},
               ParamScope::kConfigOnly, o,
               [](const ParamInfo* info) { return info ? info->name : std::string(); });
  // Fri 1 March 23:00 and Sun 3 March 01:00 (Saturday's shift) are in; Thu 29 Feb 23:00 and
  // Sun 3 March 23:00 are not; Fri 1 March 01:00 is the end of Thursday's shift: out.
  const std::vector<std::int64_t> t = {at_local(1, 23), at_local(3, 1), at_local(0, 23),
                                       at_local(3, 23), at_local(1, 1)};
  const std::vector<double> x = {1, 2, 3, 4, 5}, y = {0, 0, 0, 0, 0};
  const std::vector<std::uint32_t> cat(5, 0);
  const KdePoints p = select_points(x, y, {}, t, cat, {}, o.window, 7 * 60);
  EXPECT_EQ(p.index, std::vector<std::size_t>({0, 1}));
  EXPECT_EQ(p.by_weekday, 3);  // counted under days, not dates
  EXPECT_EQ(p.by_date, 0);
  KdeStepOptions bad;
  try {
    apply_params(kde_params(), {{"cell_size", 50}, {"days", "fri-funday"}}, ParamScope::kConfigOnly,
                 bad, [](const ParamInfo* info) {
                   return info ? "analyses[1]." + info->name : std::string("analyses[1]");
                 });
    FAIL() << "an unknown day was accepted";
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("analyses[1].days: ", 0), 0u) << e.what();
  }
}

TEST(SelectPoints, CategoriesWeightsAndTheMask) {
  Dictionary cats;
  cats.intern("theft");
  cats.intern("robbery");
  const std::vector<double> x = {1, 2, 3, 15}, y = {1, 2, 3, 15}, w = {1, 2, 3, 4};
  const std::vector<std::uint32_t> cat = {0, 1, Dictionary::kNone, 0};
  const std::vector<std::int64_t> t(4, kNoTime);  // no window: times do not matter
  KdePoints p = select_points(x, y, w, t, cat, select_categories(cats, {"theft"}), TimeWindow{}, 0);
  EXPECT_EQ(p.index, std::vector<std::size_t>({0, 3}));
  EXPECT_EQ(p.w, std::vector<double>({1, 4}));
  EXPECT_EQ(p.by_category, 2);
  EXPECT_EQ(parameter_of([&] { select_categories(cats, {"arson"}); }), "categories");
  // Every category: the one without a category stays.
  EXPECT_EQ(select_points(x, y, w, t, cat, {}, TimeWindow{}, 0).x.size(), 4u);

  MultiPolygon square(1);
  square[0].shell = {{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}};
  drop_outside(p, {square});
  EXPECT_EQ(p.index, std::vector<std::size_t>({0}));
  EXPECT_EQ(p.w, std::vector<double>({1}));
  EXPECT_EQ(p.outside_mask, 1);

  // On two threads (the tests split over them): the same points kept, in the same order.
  KdePoints many;
  for (std::size_t i = 0; i < 20000; ++i) {
    many.x.push_back(static_cast<double>(i % 200) / 10 - 5), many.y.push_back(static_cast<double>(i / 200) / 5);
    many.w.push_back(static_cast<double>(i)), many.index.push_back(i);
  }
  KdePoints one = many, two = many;
  drop_outside(one, {square}, 1);
  drop_outside(two, {square}, 2);
  EXPECT_EQ(one.index, two.index);
  EXPECT_EQ(one.x, two.x);
  EXPECT_EQ(one.w, two.w);
  EXPECT_EQ(one.outside_mask, two.outside_mask);
  EXPECT_EQ(one.index.size() + static_cast<std::size_t>(one.outside_mask), 20000u);
  EXPECT_GT(one.outside_mask, 1000);
  EXPECT_GT(one.index.size(), 1000u);
}

}  // namespace
}  // namespace hotspot
