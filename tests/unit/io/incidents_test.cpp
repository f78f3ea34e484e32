// Incident ingest: every reject reason, read = accepted + rejected, axis order, swapped axes,
// OGR point sources and planar data.
#include "io/incidents.hpp"

#include <gtest/gtest.h>

#include <map>

#include "hotspot/error.hpp"
#include "jobs/load.hpp"
#include "support/fixtures.hpp"

namespace hotspot {
namespace {

InputOptions inputs(const test::TempDir& dir, const std::string& incidents_path) {
  InputOptions o;
  o.communes.path = test::two_communes(dir);
  o.incidents.path = incidents_path;
  return o;
}

std::map<std::int64_t, RejectReason> reasons_by_line(const IngestReport& r) {
  std::map<std::int64_t, RejectReason> m;
  for (const auto& rej : r.rejected) m[rej.line] = rej.reason;
  return m;
}

const char* kEveryReason =
    "id,lon,lat,time,category\n"
    "1,106.605,20.805,2024-03-05T22:14:09+07:00,theft\n"            // line 2: good
    "2,abc,20.81,2024-03-05,theft\n"                                // 3: bad_number
    "3,106.61,NaN,2024-03-05,theft\n"                               // 4: bad_number (NaN)
    "4,inf,20.81,2024-03-05,theft\n"                                // 5: bad_number (inf)
    "5,106.61,1e400,2024-03-05,theft\n"                             // 6: bad_number (overflow)
    "6,,20.81,2024-03-05,theft\n"                                   // 7: missing_coordinate
    "7,106.61,   ,2024-03-05,theft\n"                               // 8: missing_coordinate
    "8,20.81,106.63,2024-03-05,theft\n"                             // 9: swapped_axes
    "9,-0.1276,51.5072,2024-03-05,theft\n"                          // 10: outside_area (London)
    "10,106.61,20.81,yesterday,theft\n"                             // 11: kept, time did not parse
    "11,106.61,20.81,,theft\n"                                      // 12: kept, no time
    "1,106.63,20.81,2024-03-05,theft\n"                             // 13: duplicate_id
    "12,106.61,20.81\n"                                             // 14: bad_row (too few fields)
    "13,106.63,20.81,2024-03-06T01:00:00Z,\"theft, attempted\"\n";  // 15: good

TEST(Ingest, EveryRejectReasonAndTheBalance) {
  test::TempDir dir;
  auto o = inputs(dir, dir.write("inc.csv", kEveryReason));
  o.incidents.max_reject_share = 1;  // 10 of 14 rejected: the gate would stop here
  auto in = load_inputs(o);
  const auto& r = in.report;
  EXPECT_EQ(r.read, 14);
  EXPECT_EQ(r.accepted, 4);
  EXPECT_EQ(r.read, r.accepted + static_cast<std::int64_t>(r.rejected.size()));
  EXPECT_EQ(in.incidents.size(), 4u);
  // A time that is empty or does not parse keeps the incident, without a time.
  EXPECT_EQ(r.time_missing, 2);
  EXPECT_EQ(r.time_unparsed, 1);
  ASSERT_EQ(r.time_notes.size(), 1u);
  EXPECT_EQ(r.time_notes[0].line, 11);
  EXPECT_EQ(in.incidents.time_utc[1], kNoTime);
  EXPECT_EQ(in.incidents.time_precision[1], TimePrecision::kMissing);
  auto m = reasons_by_line(r);
  EXPECT_EQ(m.at(3), RejectReason::kBadNumber);
  EXPECT_EQ(m.at(4), RejectReason::kBadNumber);
  EXPECT_EQ(m.at(5), RejectReason::kBadNumber);
  EXPECT_EQ(m.at(6), RejectReason::kBadNumber);
  EXPECT_EQ(m.at(7), RejectReason::kMissingCoordinate);
  EXPECT_EQ(m.at(8), RejectReason::kMissingCoordinate);
  EXPECT_EQ(m.at(9), RejectReason::kSwappedAxes);
  EXPECT_EQ(m.at(10), RejectReason::kOutsideArea);
  EXPECT_EQ(m.count(11), 0u);
  EXPECT_EQ(m.count(12), 0u);
  EXPECT_EQ(m.at(13), RejectReason::kDuplicateId);
  EXPECT_EQ(m.at(14), RejectReason::kBadRow);
  // Every reject carries the raw line and a message, including those found after the first pass.
  for (const auto& rej : r.rejected) {
    EXPECT_FALSE(rej.message.empty());
    EXPECT_NE(rej.raw.find(','), std::string::npos) << "line " << rej.line;
  }
  EXPECT_EQ(r.rejected[6].raw,
            "8,20.81,106.63,2024-03-05,theft");  // swapped, re-read from the file
  EXPECT_EQ(in.incidents.categories[in.incidents.category[3]], "theft, attempted");
}

TEST(Ingest, FixSwappedAxesRepairsInsteadOfRejecting) {
  test::TempDir dir;
  auto o = inputs(dir, dir.write("inc.csv", "id,lon,lat\n1,106.61,20.81\n2,20.81,106.63\n"));
  o.incidents.fix_swapped_axes = true;
  auto in = load_inputs(o);
  EXPECT_EQ(in.report.accepted, 2);
  EXPECT_EQ(in.report.swapped_fixed, 1);
  EXPECT_DOUBLE_EQ(in.incidents.lon[1], 106.63);
  EXPECT_DOUBLE_EQ(in.incidents.lat[1], 20.81);
}

TEST(Ingest, Epsg4326IsReadLongitudeFirst) {
  // Under EPSG's own axis order, EPSG:4326 is (lat, lon). Files give lon first. Reference:
  // `echo 105.75 20.81 | gdaltransform -s_srs EPSG:4326 -t_srs EPSG:9210` with traditional order
  // gives 499804.2938 2301919.7924 (near the false easting; the VN-2000 datum shift moves it ~200
  // m).
  test::TempDir dir;
  auto o = inputs(dir, dir.write("inc.csv", "id,lon,lat\n1,105.75,20.81\n"));
  o.work_crs = "EPSG:9210";
  auto in = load_inputs(o);
  ASSERT_EQ(in.incidents.size(), 1u);
  EXPECT_NEAR(in.incidents.x[0], 499804.2938, 1e-3);
  EXPECT_NEAR(in.incidents.y[0], 2301919.7924, 1e-3);
  EXPECT_DOUBLE_EQ(in.incidents.lon[0], 105.75);
}

TEST(Ingest, DecimalCommasInSemicolonFiles) {
  test::TempDir dir;
  auto in = load_inputs(
      inputs(dir, dir.write("inc.csv", "id;lon;lat\n1;106,61;20,81\n2;106.63;20.81\n")));
  EXPECT_EQ(in.report.accepted, 2);
  EXPECT_DOUBLE_EQ(in.incidents.lon[0], 106.61);
}

TEST(Ingest, ColumnsByName) {
  test::TempDir dir;
  auto o =
      inputs(dir, dir.write("inc.csv",
                            "code,X_WGS,Y_WGS,when,kind,w\nk1,106.61,20.81,2024-01-01,theft,2.5\n"
                            "k2,106.63,20.81,2024-01-01,theft,x\n"));
  o.incidents.id_field = "code";
  o.incidents.x_field = "X_WGS";
  o.incidents.y_field = "Y_WGS";
  o.incidents.time_field = "when";
  o.incidents.category_field = "kind";
  o.incidents.weight_field = "w";
  auto in = load_inputs(o);
  EXPECT_EQ(in.report.accepted, 1);
  EXPECT_EQ(in.incidents.id[0], "k1");
  EXPECT_DOUBLE_EQ(in.incidents.weight[0], 2.5);
  EXPECT_EQ(in.report.rejected.at(0).reason, RejectReason::kBadNumber);  // weight 'x'
  o.incidents.x_field = "nope";
  EXPECT_THROW(load_inputs(o), UsageError);
}

TEST(Ingest, OgrPointLayerWithTypedTimes) {
  test::TempDir dir;
  auto path = dir.write("inc.geojson", R"({"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"a","time":"2024-03-05T22:14:09+07:00","category":"theft"},"geometry":{"type":"Point","coordinates":[106.61,20.81]}},
{"type":"Feature","properties":{"id":"b","time":"2024-03-05T22:14:09+07:00","category":"theft"},"geometry":null},
{"type":"Feature","properties":{"id":"a","time":"2024-03-05T22:14:09+07:00","category":"theft"},"geometry":{"type":"Point","coordinates":[106.63,20.81]}},
{"type":"Feature","properties":{"id":"c","time":"2024-03-05T22:14:09+07:00","category":"theft"},"geometry":{"type":"Point","coordinates":[20.81,106.63]}}
]})");
  auto o = inputs(dir, path);
  o.incidents.max_reject_share = 1;  // 3 of 4 rejected on purpose
  auto in = load_inputs(o);
  EXPECT_EQ(in.report.read, 4);
  EXPECT_EQ(in.report.accepted, 1);
  EXPECT_EQ(in.incidents.time_utc[0], 1709651649);
  auto m = reasons_by_line(in.report);
  EXPECT_EQ(m.at(1), RejectReason::kMissingCoordinate);
  EXPECT_EQ(m.at(2), RejectReason::kDuplicateId);
  EXPECT_EQ(m.at(3), RejectReason::kSwappedAxes);
  EXPECT_EQ(in.report.rejected[0].raw, "fid=1");
}

TEST(Ingest, NoCoordinateColumnsIsAUsageError) {
  test::TempDir dir;
  EXPECT_THROW(load_inputs(inputs(dir, dir.write("inc.csv", "id,a,b\n1,2,3\n"))), UsageError);
}

}  // namespace
}  // namespace hotspot
