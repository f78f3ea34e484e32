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

// Audit of hand-made CSVs: each case keeps read = accepted + rejected.
void expect_balance(const IngestReport& r) {
  EXPECT_EQ(r.read, r.accepted + static_cast<std::int64_t>(r.rejected.size()));
}

bool has_warning(const IngestReport& r, const std::string& text) {
  for (const auto& w : r.warnings)
    if (w.find(text) != std::string::npos) return true;
  return false;
}

// One inch mark in an unquoted field is text; an unclosed quoted field rejects its own line only,
// and the reason says how many lines it would have taken in.
TEST(Ingest, StrayAndUnclosedQuotesLoseNoRows) {
  test::TempDir dir;
  std::string text = "id,lon,lat,category\n";
  for (int i = 1; i <= 10; ++i)
    text += std::to_string(i) + ",106.61,20.81," +
            (i == 4   ? "tv 12\"A"
             : i == 7 ? "\"open"
                      : "x") +
            "\n";
  auto in = load_inputs(inputs(dir, dir.write("inc.csv", text)));
  const auto& r = in.report;
  expect_balance(r);
  EXPECT_EQ(r.read, 10);
  EXPECT_EQ(r.accepted, 9);
  ASSERT_EQ(r.rejected.size(), 1u);
  EXPECT_EQ(r.rejected[0].line, 8);
  EXPECT_EQ(r.rejected[0].reason, RejectReason::kBadRow);
  EXPECT_EQ(r.rejected[0].message,
            "a quoted field opened on line 8 is not closed before the end of the file (4 lines to "
            "the end); only that line is rejected, and reading resumes on the next line");
  EXPECT_EQ(in.incidents.categories[in.incidents.category[3]], "tv 12\"A");
}

// An empty id is a missing id, not a duplicate of the other empty ones; duplicates of real ids
// are still found around them.
TEST(Ingest, EmptyIdsAreKeptAndAreNoDuplicates) {
  test::TempDir dir;
  auto in = load_inputs(inputs(
      dir, dir.write("inc.csv",
                     "id,lon,lat\n,106.61,20.81\nB,106.61,20.81\n  ,106.62,20.81\nB,106.61,20.81\n"
                     ",106.63,20.81\nA,106.61,20.81\nC,106.61,20.81\nA,106.61,20.81\n")));
  const auto& r = in.report;
  expect_balance(r);
  EXPECT_EQ(r.accepted, 6);
  auto m = reasons_by_line(r);
  EXPECT_EQ(m.size(), 2u);
  EXPECT_EQ(m.at(5), RejectReason::kDuplicateId);  // B again, after an empty id
  EXPECT_EQ(m.at(9), RejectReason::kDuplicateId);  // A again, after the ids left ascending order
  EXPECT_EQ(in.incidents.id[0], "");
  EXPECT_EQ(in.incidents.id[2], "");
  EXPECT_TRUE(has_warning(r, "3 rows have an empty id (the first on line 2)")) << r.warnings.at(0);
}

// Excel's "CSV (semicolon)" export: a "sep=;" line, rows of separators only from its used range,
// and data rows ending in separators beyond the header's columns.
TEST(Ingest, ExcelUsedRangeRowsAndTrailingSeparators) {
  test::TempDir dir;
  auto in = load_inputs(inputs(
      dir,
      dir.write("inc.csv",
                "sep=;\r\nid;lon;lat;time;category\r\n1;106,61;20,81;2024-01-01T10:00:00;x;;\r\n"
                "2;106,62;20,81;2024-01-01T10:00:00;x;;\r\n;;;;;;\r\n;;;;;;\r\n;;;;;;\r\n"
                "3;106,63;20,81;2024-01-01T10:00:00;x;y;\r\n")));
  const auto& r = in.report;
  expect_balance(r);
  EXPECT_EQ(r.read, 3);
  EXPECT_EQ(r.accepted, 2);
  ASSERT_EQ(r.rejected.size(), 1u);  // a value beyond the header's columns is data: refused
  EXPECT_EQ(r.rejected[0].line, 8);
  EXPECT_EQ(r.rejected[0].message, "expected 5 fields, found 7");
  EXPECT_DOUBLE_EQ(in.incidents.lon[1], 106.62);
}

// UTF-16 with its byte order mark is read, with or without --encoding utf-16; --encoding utf-16 on
// a file without one is refused with what to do.
TEST(Ingest, Utf16CsvIsDecoded) {
  test::TempDir dir;
  const std::u16string text = u"id\tlon\tlat\tcategory\r\n1\t106.61\t20.81\tTr\u1ED9m c\u1EAFp\r\n";
  std::string bytes = "\xFF\xFE";
  for (char16_t c : text)
    bytes += std::string{static_cast<char>(c & 0xFF), static_cast<char>(c >> 8)};
  auto o = inputs(dir, dir.write("inc.csv", bytes));
  for (const char* enc : {"", "utf-16", "UTF-16LE"}) {
    o.incidents.encoding = enc;
    auto in = load_inputs(o);
    EXPECT_EQ(in.report.accepted, 1) << enc;
    EXPECT_EQ(in.incidents.categories[0], "Trộm cắp") << enc;
    EXPECT_EQ(in.report.encoding, "utf-16le");
  }
  o.incidents.encoding = "cp1258";  // the byte order mark wins, with a warning
  auto in = load_inputs(o);
  EXPECT_EQ(in.incidents.categories[0], "Trộm cắp");
  EXPECT_TRUE(has_warning(in.report, "--encoding cp1258 is ignored"));
  auto plain = inputs(dir, dir.write("u8.csv", "id,lon,lat\n1,106.61,20.81\n"));
  plain.incidents.encoding = "utf-16";
  try {
    load_inputs(plain);
    ADD_FAILURE() << "utf-16 without a byte order mark was read";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("save the file as \"CSV UTF-8\""), std::string::npos);
  }
}

// UTF-8 text read as Windows-1258 because --encoding says so: read as asked, with a warning (as
// for a .dbf whose language byte says a code page over UTF-8 text).
TEST(Ingest, Utf8TextUnderASingleByteEncodingWarns) {
  test::TempDir dir;
  auto o = inputs(dir, dir.write("inc.csv", "id,lon,lat,category\n1,106.61,20.81,Trộm cắp\n"));
  o.incidents.encoding = "cp1258";
  auto in = load_inputs(o);
  EXPECT_EQ(in.report.accepted, 1);
  EXPECT_TRUE(has_warning(in.report,
                          "--encoding says cp1258, but its text is UTF-8 (1 value, e.g. 'Trộm "
                          "cắp', which cp1258 reads as 'Trá»™m cáº¯p')"))
      << (in.report.warnings.empty() ? "" : in.report.warnings[0]);
  // Real Windows-1258 text: no such warning.
  auto cp = inputs(dir, dir.write("cp.csv", "id,lon,lat,category\n1,106.61,20.81,Tr\xf4\xf2m\n"));
  cp.incidents.encoding = "cp1258";
  EXPECT_FALSE(has_warning(load_inputs(cp).report, "but its text is UTF-8"));
}

}  // namespace
}  // namespace hotspot
