// Stable hotspot ids: a previous output's zones and clusters matched to this run's by overlap.
#include "run/identity.hpp"

#include <gtest/gtest.h>

#include "hotspot/crs.hpp"
#include "io/gpkg_writer.hpp"
#include "support/temp_dir.hpp"

namespace hotspot {
namespace {

MultiPolygon square(double x, double y, double side) {
  Polygon p;
  p.shell = {{x, y}, {x + side, y}, {x + side, y + side}, {x, y + side}, {x, y}};
  return {p};
}

const Crs& utm() {
  static const Crs crs = parse_crs("EPSG:32648", "test");
  return crs;
}

// A previous output: hotspot_zones Z1..Z4 and Z7 vanished earlier, and one cluster C2.
std::string previous_output(const test::TempDir& dir) {
  const std::string path = dir.file("previous.gpkg");
  GpkgWriter w(path);
  std::vector<FieldDef> fields = {{"zone_rank", FieldType::kInteger}};
  for (const auto& f : identity_fields()) fields.push_back(f);
  auto& Z = w.begin_layer("hotspot_zones", GeometryType::kMultiPolygon, utm(), fields, "zones");
  const std::vector<std::pair<MultiPolygon, HotspotIdentity>> zones = {
      {square(0, 0, 100), {"Z1", "persisting", "2025-01-01", 10}},
      {square(1000, 0, 100), {"Z2", "new", "2025-01-10", 1}},
      {square(2000, 0, 100), {"Z3", "new", "2025-01-10", 1}},
      {square(3000, 0, 100), {"Z4", "new", "2025-01-10", 1}},
  };
  for (std::size_t k = 0; k < zones.size(); ++k) {
    Z.set_geometry(zones[k].first);
    Z.set(0, static_cast<std::int64_t>(k + 1));
    set_identity(Z, 1, zones[k].second);
    Z.insert();
  }
  auto& C =
      w.begin_layer("clusters", GeometryType::kMultiPolygon, utm(), identity_fields(), "clusters");
  C.set_geometry(square(0, 0, 100));
  set_identity(C, 0, {"C2", "new", "2025-01-05", 1});
  C.insert();
  auto& V =
      w.begin_layer("vanished_hotspots", GeometryType::kMultiPolygon, utm(),
                    {{"hotspot_id", FieldType::kText}, {"layer", FieldType::kText}}, "vanished");
  V.set_geometry(square(9000, 0, 100));
  V.set(0, std::string_view("Z7"));
  V.set(1, std::string_view("hotspot_zones"));
  V.insert();
  auto& M = w.begin_layer("run_metadata", GeometryType::kNone, utm(),
                          {{"key", FieldType::kText}, {"value", FieldType::kText}}, "");
  M.set(0, std::string_view("as_of"));
  M.set(1, std::string_view("\"2025-01-10\""));
  M.insert();
  w.commit();
  return path;
}

TEST(Identity, DaysActiveCountsTheFirstDay) {
  EXPECT_EQ(days_active("2025-01-01", "2025-01-01"), 1);
  EXPECT_EQ(days_active("2025-01-01", "2025-01-31"), 31);
  EXPECT_EQ(days_active("2024-12-31", "2025-03-01"), 61);
  EXPECT_EQ(days_active("2025-02-01", "2025-01-01"), 1);  // never below one
}

TEST(Identity, WithoutHistoryEverythingIsNew) {
  std::vector<std::string> warnings;
  HotspotHistory h = HotspotHistory::read("/nonexistent/previous.gpkg", utm(), warnings);
  EXPECT_TRUE(h.empty());
  EXPECT_TRUE(warnings.empty());
  auto ids = h.match("hotspot_zones", {square(0, 0, 10), square(50, 0, 10)}, "2025-02-01");
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids[0].hotspot_id, "Z1");
  EXPECT_EQ(ids[1].hotspot_id, "Z2");
  EXPECT_EQ(ids[0].status, "new");
  EXPECT_EQ(ids[0].first_seen, "2025-02-01");
  EXPECT_EQ(ids[0].days_active, 1);
}

TEST(Identity, IdsCarryOverWithTheirStatus) {
  test::TempDir dir;
  std::vector<std::string> warnings;
  HotspotHistory h = HotspotHistory::read(previous_output(dir), utm(), warnings);
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(h.previous_as_of(), "2025-01-10");
  const std::vector<MultiPolygon> now = {
      square(5000, 0, 100),  // nowhere before: new
      square(10, 10, 100),   // Z1 moved a little: persisting
      square(1000, 0, 150),  // Z2 grown (2.25 × the area)
      square(2020, 20, 60),  // Z3 shrunk (0.36 ×)
      square(9000, 0, 100),  // where Z7 vanished two runs ago: new, and Z7 is not reused
  };                         // Z4 is gone: vanished
  auto ids = h.match("hotspot_zones", now, "2025-01-20");
  ASSERT_EQ(ids.size(), 5u);
  EXPECT_EQ(ids[1].hotspot_id, "Z1");
  EXPECT_EQ(ids[1].status, "persisting");
  EXPECT_EQ(ids[1].first_seen, "2025-01-01");
  EXPECT_EQ(ids[1].days_active, 20);
  EXPECT_EQ(ids[2].hotspot_id, "Z2");
  EXPECT_EQ(ids[2].status, "grown");
  EXPECT_EQ(ids[3].hotspot_id, "Z3");
  EXPECT_EQ(ids[3].status, "shrunk");
  EXPECT_EQ(ids[0].hotspot_id, "Z8");  // after every id ever used, Z7 included
  EXPECT_EQ(ids[0].status, "new");
  EXPECT_EQ(ids[0].first_seen, "2025-01-20");
  EXPECT_EQ(ids[4].hotspot_id, "Z9");
  // Clusters are matched on their own: the cluster at Z1's place keeps C2.
  auto cl = h.match("clusters", {square(0, 0, 90)}, "2025-01-20");
  EXPECT_EQ(cl[0].hotspot_id, "C2");
  auto gone = h.vanished();
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0]->hotspot_id, "Z4");
}

TEST(Identity, ASplitKeepsTheIdOnTheLargerPart) {
  test::TempDir dir;
  std::vector<std::string> warnings;
  HotspotHistory h = HotspotHistory::read(previous_output(dir), utm(), warnings);
  auto ids = h.match("hotspot_zones", {square(0, 0, 40), square(50, 0, 50)}, "2025-01-11");
  EXPECT_EQ(ids[1].hotspot_id, "Z1");
  EXPECT_EQ(ids[1].status, "shrunk");
  EXPECT_EQ(ids[0].status, "new");
}

TEST(Identity, ATinyOverlapIsNoMatch) {
  test::TempDir dir;
  std::vector<std::string> warnings;
  HotspotHistory h = HotspotHistory::read(previous_output(dir), utm(), warnings);
  // 5 m × 100 m of a 100 m square: 5 % of the smaller area, under kMinOverlap.
  auto ids = h.match("hotspot_zones", {square(95, 0, 100)}, "2025-01-11");
  EXPECT_EQ(ids[0].status, "new");
}

TEST(Identity, AnotherCrsIsNotMatchedAndSaysSo) {
  test::TempDir dir;
  std::vector<std::string> warnings;
  HotspotHistory h =
      HotspotHistory::read(previous_output(dir), parse_crs("EPSG:9210", "test"), warnings);
  EXPECT_TRUE(h.empty());
  ASSERT_FALSE(warnings.empty());
  EXPECT_NE(warnings[0].find("another CRS"), std::string::npos);
}

// A previous output whose hotspot_zones hold `ids` (100 m squares 1 km apart) and whose
// run_metadata holds the rows `meta` (key, JSON text).
std::string previous_with(const test::TempDir& dir, const std::vector<std::string>& ids,
                          const std::vector<std::pair<std::string, std::string>>& meta) {
  const std::string path = dir.file("previous_ids.gpkg");
  GpkgWriter w(path);
  auto& Z = w.begin_layer("hotspot_zones", GeometryType::kMultiPolygon, utm(), identity_fields(),
                          "zones");
  for (std::size_t k = 0; k < ids.size(); ++k) {
    Z.set_geometry(square(1000.0 * static_cast<double>(k), 0, 100));
    set_identity(Z, 0, {ids[k], "new", "2025-01-10", 1});
    Z.insert();
  }
  auto& M = w.begin_layer("run_metadata", GeometryType::kNone, utm(),
                          {{"key", FieldType::kText}, {"value", FieldType::kText}}, "");
  for (const auto& [key, value] : meta) {
    M.set(0, std::string_view(key));
    M.set(1, std::string_view(value));
    M.insert();
  }
  w.commit();
  return path;
}

TEST(Identity, AnIdNear2To63NeverOverflows) {
  test::TempDir dir;
  std::vector<std::string> warnings;
  HotspotHistory h = HotspotHistory::read(
      previous_with(dir, {"Z9223372036854775807", "Z3", "Z99999999999999999999999"}, {}), utm(),
      warnings);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("2 hotspot ids such as"), std::string::npos) << warnings[0];
  // The huge id keeps its hotspot; new ones are numbered after Z3, never negative.
  auto ids = h.match("hotspot_zones", {square(0, 0, 100), square(50000, 0, 100)}, "2025-01-11");
  EXPECT_EQ(ids[0].hotspot_id, "Z9223372036854775807");
  EXPECT_EQ(ids[1].hotspot_id, "Z4");
  EXPECT_EQ(h.issued().at("Z"), 4);
}

TEST(Identity, IdsIssuedBeforeAreNeverIssuedAgain) {
  // Z40 vanished two runs ago: no layer holds it now, but run_metadata recorded it as issued.
  test::TempDir dir;
  std::vector<std::string> warnings;
  HotspotHistory h = HotspotHistory::read(
      previous_with(dir, {"Z1", "Z2"}, {{"hotspot_ids_issued", R"({"Z": 40, "C": 7})"}}), utm(),
      warnings);
  EXPECT_TRUE(warnings.empty());
  auto ids = h.match("hotspot_zones", {square(70000, 0, 100)}, "2025-01-11");
  EXPECT_EQ(ids[0].hotspot_id, "Z41");
  auto cl = h.match("clusters", {square(70000, 0, 100)}, "2025-01-11");
  EXPECT_EQ(cl[0].hotspot_id, "C8");
  EXPECT_EQ(h.issued().at("Z"), 41);
  EXPECT_EQ(h.issued().at("C"), 8);
}

TEST(Identity, AnIssuedCountThatIsNoNumberIsIgnored) {
  test::TempDir dir;
  std::vector<std::string> warnings;
  HotspotHistory h = HotspotHistory::read(
      previous_with(dir, {"Z2"},
                    {{"hotspot_ids_issued", R"({"Z": 1e300, "C": -5, "X": "many"})"}}),
      utm(), warnings);
  auto ids = h.match("hotspot_zones", {square(70000, 0, 100)}, "2025-01-11");
  EXPECT_EQ(ids[0].hotspot_id, "Z3");
}

TEST(Identity, IdsOfAPreviousInAnotherCrsAreStillNotReused) {
  test::TempDir dir;
  std::vector<std::string> warnings;
  HotspotHistory h =
      HotspotHistory::read(previous_output(dir), parse_crs("EPSG:9210", "test"), warnings);
  EXPECT_TRUE(h.empty());
  auto ids = h.match("hotspot_zones", {square(0, 0, 100)}, "2025-01-11");
  EXPECT_EQ(ids[0].hotspot_id, "Z8");  // Z1..Z4 and the vanished Z7 were used
}

}  // namespace
}  // namespace hotspot
