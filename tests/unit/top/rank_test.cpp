// hotspot top's ranking on hotspots and incidents built in memory (no GeoPackage): the window
// across midnight, the ranking order and its ties, communes met, and no NaN in the outputs when
// a hotspot cannot be projected to WGS 84.
#include "top/rank.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "hotspot/error.hpp"
#include "aggregate/grid.hpp"
#include "hotspot/weights.hpp"
#include "util/time.hpp"

namespace hotspot {
namespace {

MultiPolygon square(double x0, double y0, double side) {
  return {
      Polygon{{{x0, y0}, {x0 + side, y0}, {x0 + side, y0 + side}, {x0, y0 + side}, {x0, y0}}, {}}};
}

void add_incident(Incidents& inc, double x, double y, std::int64_t t,
                  const std::string& category = "theft") {
  inc.x.push_back(x);
  inc.y.push_back(y);
  inc.lon.push_back(std::nan(""));
  inc.lat.push_back(std::nan(""));
  inc.time_utc.push_back(t);
  inc.category.push_back(inc.categories.intern(category));
  inc.line.push_back(static_cast<std::int64_t>(inc.x.size()));
}

// Local time `hh:mm` on `date` at UTC+07:00, in UTC seconds.
std::int64_t at(const std::string& date, int hh, int mm) {
  return local_midnight(date, 7 * 60, "t") + hh * 3600 + mm * 60;
}

TopInputs planar_inputs() {
  TopInputs in;
  in.in = "memory";
  in.crs = parse_crs("planar", "test");
  in.utc_offset_minutes = 7 * 60;
  in.utc_offset_from = "run_metadata";
  return in;
}

TEST(TopRank, NightShiftBelongsToTheDayItBegan) {
  TopInputs in = planar_inputs();
  in.hotspots.push_back({"Z1", "zones", "hotspot_zones", square(0, 0, 100)});
  // 2024-03-01 is a Friday.
  add_incident(in.incidents, 10, 10, at("2024-03-01", 23, 0));  // Friday's shift
  add_incident(in.incidents, 20, 20, at("2024-03-02", 1, 30));  // Saturday 01:30: still Friday's
  add_incident(in.incidents, 30, 30, at("2024-03-02", 4, 0));   // the shift has ended
  add_incident(in.incidents, 40, 40, at("2024-03-02", 23, 0));  // Saturday's shift
  add_incident(in.incidents, 50, 50, at("2024-02-29", 23, 0));  // Thursday's shift
  add_incident(in.incidents, 60, 60, kNoTime);
  TopOptions o;
  o.min_pai = 0;  // the hotspot is larger than the incidents' extent: PAI below 1
  set_window_hours(o.window, "22:00-04:00");
  set_window_days(o.window, "fri");
  set_window_to(o.window, "2024-03-01");  // Saturday 01:30 is in Friday's shift, so in the window
  const TopResult r = rank_top(in, o);
  EXPECT_EQ(r.incidents_total, 6);
  EXPECT_EQ(r.incidents_in_window, 2);
  EXPECT_EQ(r.incidents_without_time, 1);
  EXPECT_EQ(r.days, std::vector<std::string>{"fri"});
  ASSERT_EQ(r.top.size(), 1u);
  EXPECT_EQ(r.top[0].incidents, 2);
  EXPECT_EQ(r.top[0].peak_incidents, 2);

  // Saturday's shifts, without an end date: Saturday 23:00 only (01:30 was Friday's).
  TopOptions later = o;
  set_window_days(later.window, "sat");
  set_window_to(later.window, "");
  EXPECT_EQ(rank_top(in, later).incidents_in_window, 1);
  // A window whose dates are the wrong way round is refused, naming `from`.
  set_window_to(later.window, "2024-03-01");
  set_window_from(later.window, "2024-03-02");
  EXPECT_THROW(check_window(later.window), ParameterError);
}

TEST(TopRank, OrderIsIncidentsThenPaiThenNaturalId) {
  TopInputs in = planar_inputs();
  in.hotspots.push_back({"Z2", "zones", "hotspot_zones", square(0, 0, 200)});      // 3, big
  in.hotspots.push_back({"Z10", "zones", "hotspot_zones", square(300, 0, 100)});   // 3, small
  in.hotspots.push_back({"G10", "gi", "local_grid", square(0, 300, 100)});         // 2, tie
  in.hotspots.push_back({"G2", "gi", "local_grid", square(300, 300, 100)});        // 2, tie
  in.hotspots.push_back({"Z3", "zones", "hotspot_zones", square(600, 600, 100)});  // none
  const std::int64_t t = at("2024-03-01", 12, 0);
  for (int k = 0; k < 3; ++k) add_incident(in.incidents, 10 + k, 10, t);
  for (int k = 0; k < 3; ++k) add_incident(in.incidents, 310 + k, 10, t);
  for (int k = 0; k < 2; ++k) add_incident(in.incidents, 10 + k, 310, t, "robbery");
  for (int k = 0; k < 2; ++k) add_incident(in.incidents, 310 + k, 310, t);
  add_incident(in.incidents, 900, 900, t);  // in no hotspot
  // A commune holding Z10 and one that only touches it along x = 400: only the first is met.
  in.communes.id = {"c1", "c2"};
  in.communes.name = {"Inside", "Touching"};
  in.communes.geom = {square(250, -50, 150), square(400, 0, 100)};

  TopOptions o;
  o.n = 3;
  o.min_pai = 0;  // the order of every hotspot with incidents, whatever its PAI
  const TopResult r = rank_top(in, o);
  EXPECT_EQ(r.hotspots, 5);
  EXPECT_EQ(r.hotspots_with_incidents, 4);
  ASSERT_EQ(r.top.size(), 3u);
  EXPECT_EQ(r.top[0].id, "Z10");  // as many incidents as Z2 on a quarter of the area
  EXPECT_EQ(r.top[1].id, "Z2");
  EXPECT_EQ(r.top[2].id, "G2");  // G2 and G10 tie on incidents and PAI: "G2" < "G10"
  for (int k = 0; k < 3; ++k) EXPECT_EQ(r.top[static_cast<std::size_t>(k)].rank, k + 1);
  EXPECT_NEAR(r.top[0].pai / r.top[1].pai, 4.0, 1e-12);
  EXPECT_EQ(r.top[0].communes, std::vector<std::string>{"Inside"});
  EXPECT_TRUE(std::isnan(r.top[0].lon));  // planar data: no WGS 84 position

  // Categories: only robbery leaves G10 alone; a name no incident has names the parameter.
  o.categories = {"robbery"};
  const TopResult robbery = rank_top(in, o);
  ASSERT_EQ(robbery.top.size(), 1u);
  EXPECT_EQ(robbery.top[0].id, "G10");
  EXPECT_EQ(robbery.top[0].categories.at(0).category, "robbery");
  o.categories = {"arson"};
  try {
    rank_top(in, o);
    FAIL() << "no error for an unknown category";
  } catch (const ParameterError& e) {
    EXPECT_EQ(e.parameter(), "categories");
  }
}

// A hotspot PROJ cannot bring back to longitude and latitude (beyond the visible disc of an
// orthographic projection) is listed without a position or polygon, with a warning: no NaN.
TEST(TopRank, UnprojectableHotspotGetsNoLonLatAndNoNaN) {
  TopInputs in;
  in.in = "memory";
  in.crs = parse_crs("+proj=ortho +lat_0=0 +lon_0=0 +ellps=WGS84 +units=m +no_defs", "test");
  in.utc_offset_minutes = 0;
  in.hotspots.push_back({"Z1", "zones", "hotspot_zones", square(0, 0, 1000)});
  in.hotspots.push_back({"Z2", "zones", "hotspot_zones", square(2e7, 0, 1000)});
  for (int k = 0; k < 2; ++k) add_incident(in.incidents, 100 + k, 100, kNoTime);
  add_incident(in.incidents, 2e7 + 100, 100, kNoTime);
  TopOptions o;
  o.min_pai = 0;
  const TopResult r = rank_top(in, o);
  ASSERT_EQ(r.top.size(), 2u);
  EXPECT_EQ(r.top[0].id, "Z1");
  EXPECT_TRUE(std::isfinite(r.top[0].lon) && std::isfinite(r.top[0].lat));
  EXPECT_FALSE(r.top[0].lonlat.empty());
  EXPECT_EQ(r.top[1].id, "Z2");
  EXPECT_TRUE(std::isnan(r.top[1].lon) && std::isnan(r.top[1].lat));
  EXPECT_TRUE(r.top[1].lonlat.empty());
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("Z2"), std::string::npos);
  for (const std::string& out : {format_top_geojson(r), format_top_json(r), format_top_csv(r)}) {
    EXPECT_EQ(out.find("nan"), std::string::npos) << out;
    EXPECT_EQ(out.find("NaN"), std::string::npos) << out;
    EXPECT_EQ(out.find("inf"), std::string::npos) << out;
  }
  EXPECT_NE(format_top_geojson(r).find("\"geometry\":null"), std::string::npos);
}

// A 22:00-06:00 shift's peak is three hours of the shift, never 20:00-23:00 (which ties with
// 22:00-01:00 on these incidents and starts earlier).
TEST(TopRank, PeakHoursStayInsideTheShift) {
  TopInputs in = planar_inputs();
  in.hotspots.push_back({"Z1", "zones", "hotspot_zones", square(0, 0, 100)});
  add_incident(in.incidents, 10, 10, at("2024-03-01", 22, 10));
  add_incident(in.incidents, 20, 20, at("2024-03-04", 22, 20));
  add_incident(in.incidents, 30, 30, at("2024-03-05", 5, 30));
  add_incident(in.incidents, 90, 90, at("2024-03-05", 12, 0));  // outside the shift
  TopOptions o;
  o.min_pai = 0;
  set_window_hours(o.window, "22:00-06:00");
  TopResult r = rank_top(in, o);
  ASSERT_EQ(r.top.size(), 1u);
  EXPECT_EQ(r.top[0].peak_hours, "22:00-01:00");
  EXPECT_EQ(r.top[0].peak_incidents, 2);
  // A shift shorter than three hours: its own hours.
  set_window_hours(o.window, "22:00-23:30");
  r = rank_top(in, o);
  ASSERT_EQ(r.top.size(), 1u);
  EXPECT_EQ(r.top[0].peak_hours, "22:00-00:00");
}

// The position of a U-shaped hotspot: its centroid lies in the notch, outside; the listed point
// is on the surface.
TEST(TopRank, PositionIsInsideThePolygon) {
  TopInputs in;
  in.in = "memory";
  in.crs = parse_crs("EPSG:32648", "test");
  in.utc_offset_minutes = 7 * 60;
  const double x0 = 500000, y0 = 2300000;
  MultiPolygon u = {Polygon{{{x0, y0}, {x0 + 300, y0}, {x0 + 300, y0 + 300}, {x0 + 200, y0 + 300},
                             {x0 + 200, y0 + 50}, {x0 + 100, y0 + 50}, {x0 + 100, y0 + 300},
                             {x0, y0 + 300}, {x0, y0}}, {}}};
  in.hotspots.push_back({"Z1", "zones", "hotspot_zones", u});
  for (int k = 0; k < 4; ++k) add_incident(in.incidents, x0 + 20 + k, y0 + 20, kNoTime);
  add_incident(in.incidents, x0 + 3000, y0 + 3000, kNoTime);
  const XY c = centroids({u}).front();
  ASSERT_FALSE(point_in(u, c));  // the case: the centroid is outside
  const TopResult r = rank_top(in, TopOptions{});
  ASSERT_EQ(r.top.size(), 1u);
  ASSERT_TRUE(std::isfinite(r.top[0].lon));
  EXPECT_TRUE(point_in(r.top[0].lonlat, {r.top[0].lon, r.top[0].lat}));
  const std::string gpx = format_top_gpx(r), kml = format_top_kml(r);
  EXPECT_NE(gpx.find("<wpt lat=\""), std::string::npos) << gpx;
  EXPECT_NE(gpx.find("<name>1. Z1</name>"), std::string::npos) << gpx;
  EXPECT_NE(kml.find("<Placemark>"), std::string::npos) << kml;
  EXPECT_NE(kml.find("<outerBoundaryIs>"), std::string::npos) << kml;
}

TEST(TopRank, OverlappingSourcesAreOnePlace) {
  TopInputs in = planar_inputs();
  in.hotspots.push_back({"Z1", "zones", "hotspot_zones", square(0, 0, 100)});
  in.hotspots.push_back({"G1", "gi", "local_grid", square(50, 0, 100)});    // overlaps Z1
  in.hotspots.push_back({"G2", "gi", "local_grid", square(150, 0, 100)});   // touches G1 only
  in.hotspots.push_back({"Z2", "zones", "hotspot_zones", square(600, 600, 100)});
  const std::int64_t t = at("2024-03-01", 12, 0);
  for (int k = 0; k < 3; ++k) add_incident(in.incidents, 60 + k, 10, t);  // in both
  add_incident(in.incidents, 10, 10, t);                                   // Z1 only
  add_incident(in.incidents, 140, 10, t);                                  // G1 only
  add_incident(in.incidents, 200, 10, t);                                  // G2
  add_incident(in.incidents, 650, 650, t);                                 // Z2
  TopOptions o;
  o.min_pai = 0;
  const TopResult r = rank_top(in, o);
  ASSERT_EQ(r.top.size(), 3u);
  EXPECT_EQ(r.top[0].id, "G1+Z1");
  EXPECT_EQ(r.top[0].source, "zones+gi");
  EXPECT_EQ(r.top[0].layer, "local_grid+hotspot_zones");
  EXPECT_EQ(r.top[0].incidents, 5);  // each incident once, not once per source
  EXPECT_NEAR(r.top[0].area_km2, 150 * 100 / 1e6, 1e-12);
  EXPECT_EQ(r.hotspots, 4);
}

TEST(TopRank, MinPaiHidesPlacesNoBetterThanAverage) {
  TopInputs in = planar_inputs();
  in.communes.id = {"c"};
  in.communes.name = {"C"};
  in.communes.geom = {square(0, 0, 1000)};
  in.hotspots.push_back({"Z1", "zones", "hotspot_zones", square(0, 0, 100)});   // 5 of 10 on 1 %
  in.hotspots.push_back({"Z2", "zones", "hotspot_zones", square(500, 0, 500)});  // 2 of 10 on 25 %
  const std::int64_t t = at("2024-03-01", 12, 0);
  for (int k = 0; k < 5; ++k) add_incident(in.incidents, 10 + k, 10, t);
  for (int k = 0; k < 2; ++k) add_incident(in.incidents, 600 + k, 10, t);
  for (int k = 0; k < 3; ++k) add_incident(in.incidents, 300, 800 + k, t);
  TopResult r = rank_top(in, TopOptions{});
  ASSERT_EQ(r.top.size(), 1u);
  EXPECT_EQ(r.top[0].id, "Z1");
  EXPECT_NEAR(r.top[0].pai, 50, 1e-9);
  EXPECT_EQ(r.hidden_by_min_pai, 1);
  EXPECT_EQ(r.hotspots_with_incidents, 2);
  TopOptions all;
  all.min_pai = 0;
  r = rank_top(in, all);
  ASSERT_EQ(r.top.size(), 2u);
  EXPECT_NEAR(r.top[1].pai, 0.8, 1e-9);
  all.min_pai = -1;
  EXPECT_THROW(rank_top(in, all), ParameterError);
}

TEST(TopRank, RelativeDatesFromTheAsOfDate) {
  TopInputs in = planar_inputs();
  in.hotspots.push_back({"Z1", "zones", "hotspot_zones", square(0, 0, 100)});
  for (const char* d : {"2024-03-31", "2024-03-04", "2024-03-03", "2024-02-01"})
    add_incident(in.incidents, 10, 10, at(d, 12, 0));
  in.as_of = "2024-03-31", in.as_of_from = "run_metadata";
  TopOptions o;
  o.min_pai = 0;
  o.last = "28d";  // 2024-03-04 .. 2024-03-31
  TopResult r = rank_top(in, o);
  EXPECT_EQ(r.from, "2024-03-04");
  EXPECT_EQ(r.to, "2024-03-31");
  EXPECT_EQ(r.incidents_in_window, 2);
  o.last = "", o.from = "-8w", o.to = "today";  // 2024-02-04 .. 2024-03-31
  r = rank_top(in, o);
  EXPECT_EQ(r.from, "2024-02-04");
  EXPECT_EQ(r.incidents_in_window, 3);
  EXPECT_EQ(r.as_of, "2024-03-31");
  o.to = "-1w", o.from = "2024-03-01";  // an absolute date and a relative one
  EXPECT_EQ(rank_top(in, o).incidents_in_window, 2);
  o.from = "", o.to = "", o.last = "4w";
  EXPECT_EQ(rank_top(in, o).incidents_in_window, 2);
  o.from = "today";
  EXPECT_THROW(rank_top(in, o), ParameterError);  // --last with --from
  o.last = "", o.from = "-3x";
  try {
    rank_top(in, o);
    FAIL();
  } catch (const ParameterError& e) {
    EXPECT_EQ(e.parameter(), "from");
  }
  in.as_of.clear();
  o.from = "-28d";
  EXPECT_THROW(rank_top(in, o), ParameterError);  // nothing to resolve it from
}

}  // namespace
}  // namespace hotspot
