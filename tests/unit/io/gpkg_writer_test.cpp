// GeoPackage writer: atomic replacement, identifiers that could inject SQL, UTF-8 round trips.
#include "io/gpkg_writer.hpp"

#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "hotspot/error.hpp"
#include "hotspot/ingest.hpp"
#include "io/gdal_util.hpp"
#include "support/temp_dir.hpp"
#include "util/text.hpp"
#include "util/time.hpp"

namespace hotspot {
namespace {

namespace fs = std::filesystem;

void write_points(const std::string& path, const std::string& layer, int n, bool commit) {
  GpkgWriter w(path);
  auto& L = w.begin_layer(layer, GeometryType::kPoint, parse_crs("EPSG:32648", "test"),
                          {{"name", FieldType::kText}, {"v", FieldType::kReal}}, "test layer");
  for (int i = 0; i < n; ++i) {
    L.set_point({500000.0 + i, 2300000.0 + i});
    L.set(0, std::string_view("Đồng Thái"));
    L.set(1, i * 0.5);
    L.insert();
  }
  if (commit) w.commit();
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

TEST(GpkgWriter, UncommittedWriteLeavesNoFileAndNoTemp) {
  test::TempDir dir;
  write_points(dir.file("out.gpkg"), "pts", 10, false);
  EXPECT_FALSE(fs::exists(dir.file("out.gpkg")));
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

TEST(GpkgWriter, FailedRewriteKeepsThePreviousOutputIntact) {
  test::TempDir dir;
  const std::string out = dir.file("out.gpkg");
  write_points(out, "pts", 5, true);
  const std::string before = read_file(out);
  try {
    GpkgWriter w(out);
    w.begin_layer("pts", GeometryType::kPoint, parse_crs("EPSG:32648", "t"), {}, "");
    w.begin_layer("pts", GeometryType::kPoint, parse_crs("EPSG:32648", "t"), {},
                  "");  // duplicate table
    FAIL() << "expected an error";
  } catch (const Error&) {
  }
  EXPECT_EQ(read_file(out), before);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator{}), 1);
}

TEST(GpkgWriter, HostileNamesAreQuotedAndValuesBound) {
  test::TempDir dir;
  const std::string out = dir.file("out.gpkg");
  const std::string evil = "x\"; DROP TABLE gpkg_contents; --";
  {
    GpkgWriter w(out);
    auto& L = w.begin_layer(evil, GeometryType::kPoint, parse_crs("EPSG:32648", "t"),
                            {{"it's \"odd\"", FieldType::kText}}, "");
    L.set_point({1, 2});
    L.set(0, std::string_view("'); DELETE FROM gpkg_contents; --"));
    L.insert();
    w.commit();
  }
  register_gdal_once();
  DatasetPtr ds(static_cast<GDALDataset*>(
      GDALOpenEx(out.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr)));
  ASSERT_TRUE(ds);
  OGRLayer* l = ds->GetLayerByName(evil.c_str());
  ASSERT_NE(l, nullptr);
  FeaturePtr f(l->GetNextFeature());
  ASSERT_TRUE(f);
  EXPECT_STREQ(f->GetFieldAsString("it's \"odd\""), "'); DELETE FROM gpkg_contents; --");
}

TEST(GpkgWriter, GdalReadsWhatWeWrite) {
  test::TempDir dir;
  const std::string out = dir.file("out.gpkg");
  write_points(out, "pts", 1000, true);
  register_gdal_once();
  DatasetPtr ds(static_cast<GDALDataset*>(
      GDALOpenEx(out.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr)));
  ASSERT_TRUE(ds);
  OGRLayer* l = ds->GetLayerByName("pts");
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(l->GetFeatureCount(), 1000);
  EXPECT_STREQ(l->GetSpatialRef()->GetAuthorityCode(nullptr), "32648");
  // The spatial index answers a window query.
  l->SetSpatialFilterRect(500100, 2300100, 500109.5, 2300109.5);
  EXPECT_EQ(l->GetFeatureCount(), 10);
  l->SetSpatialFilter(nullptr);
  FeaturePtr f(l->GetFeature(3));
  ASSERT_TRUE(f);
  EXPECT_STREQ(f->GetFieldAsString("name"), "Đồng Thái");
  EXPECT_DOUBLE_EQ(f->GetFieldAsDouble("v"), 1.0);
  EXPECT_DOUBLE_EQ(f->GetGeometryRef()->toPoint()->getX(), 500002.0);
}

// The bulk-loaded R-tree passes SQLite's own integrity check and answers like a brute-force scan,
// for a tree of one node, of two levels and of three levels (51 cells per node).
TEST(GpkgWriter, BulkLoadedRtreePassesRtreecheckAndAnswersWindows) {
  test::TempDir dir;
  for (int n : {1, 51, 52, 3000, 140000}) {
    const std::string out = dir.file("r" + std::to_string(n) + ".gpkg");
    const std::string name = n == 3000 ? "odd \"name\"" : "pts";
    std::vector<XY> pts;
    std::uint64_t s = 88172645463325252ull;
    for (int i = 0; i < n; ++i) {
      s ^= s << 13, s ^= s >> 7, s ^= s << 17;
      pts.push_back({500000.0 + static_cast<double>(s % 100000) / 7.0,
                     2300000.0 + static_cast<double>((s >> 20) % 100000) / 3.0});
    }
    {
      GpkgWriter w(out);
      auto& L = w.begin_layer(name, GeometryType::kPoint, parse_crs("EPSG:32648", "t"), {}, "");
      for (XY p : pts) L.set_point(p), L.insert();
      w.commit();
    }
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2(out.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    const std::string rtree = quote_identifier("rtree_" + name + "_geom");
    auto scalar = [&](const std::string& sql) {
      sqlite3_stmt* st = nullptr;
      EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sql;
      EXPECT_EQ(sqlite3_step(st), SQLITE_ROW);
      std::string v = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
      sqlite3_finalize(st);
      return v;
    };
    EXPECT_EQ(scalar("SELECT rtreecheck('rtree_" + name + "_geom')"), "ok") << n;
    EXPECT_EQ(scalar("SELECT count(*) FROM " + rtree), std::to_string(n));
    // A window query through the index, against a brute-force count (float32 boxes are rounded
    // outwards, so the window is chosen away from the points by more than their rounding).
    const double x0 = 503000.25, x1 = 507000.25, y0 = 2310000.25, y1 = 2320000.25;
    long expected = 0;
    for (XY p : pts) expected += p.x >= x0 && p.x <= x1 && p.y >= y0 && p.y <= y1;
    char sql[256];
    std::snprintf(sql, sizeof sql,
                  " WHERE minx >= %.3f AND maxx <= %.3f AND miny >= %.3f AND maxy <= %.3f", x0, x1,
                  y0, y1);
    EXPECT_EQ(scalar("SELECT count(*) FROM " + rtree + sql), std::to_string(expected)) << n;
    sqlite3_close(db);
  }
}

// Rows are queued and inserted many to a statement: every kind of value, a value left unset
// (NULL), a row without geometry and a short last batch come back as set, in fid order, and
// set_time writes what format_utc gives (with milliseconds) on any day, across midnight, before
// 1970 and past year 9999.
TEST(GpkgWriter, QueuedRowsComeBackAsSet) {
  test::TempDir dir;
  const std::string out = dir.file("rows.gpkg");
  const std::int64_t day = 86400;
  std::vector<std::int64_t> times = {0, -1, -day, -day - 1, 1'700'000'000, 1'700'000'000 + day - 1,
                                     253'402'300'799, 253'402'300'800, -62'135'596'800, kNoTime};
  for (std::int64_t k = 0; k < 200; ++k) times.push_back(1'600'000'000 + k * 7919 * 61 + k % 3 * 1024 * day);
  const int n = static_cast<int>(times.size());
  {
    GpkgWriter w(out);
    auto& L = w.begin_layer("rows", GeometryType::kPoint, parse_crs("EPSG:32648", "t"),
                            {{"i", FieldType::kInteger}, {"r", FieldType::kReal},
                             {"s", FieldType::kText}, {"t", FieldType::kDateTime}},
                            "");
    for (int k = 0; k < n; ++k) {
      if (k % 5 != 3) L.set_point({500000.0 + k, 2300000.0 - k});
      L.set(0, std::int64_t{k} * 1'000'000'007);
      if (k % 4 != 1) L.set(1, k % 7 == 0 ? std::nan("") : k / 3.0);
      if (k % 6 != 2)
        L.set(2, std::string_view(std::string(static_cast<std::size_t>(k % 9),
                                              static_cast<char>('a' + k % 26))));
      L.set_time(3, times[static_cast<std::size_t>(k)]);
      EXPECT_EQ(L.insert(), k + 1);
    }
    w.commit();
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(out.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT fid, geom IS NULL, i, r, s, t FROM rows ORDER BY fid", -1, &st, nullptr), SQLITE_OK);
  int k = 0;
  for (; sqlite3_step(st) == SQLITE_ROW; ++k) {
    EXPECT_EQ(sqlite3_column_int64(st, 0), k + 1);
    EXPECT_EQ(sqlite3_column_int(st, 1), k % 5 == 3 ? 1 : 0) << k;
    EXPECT_EQ(sqlite3_column_int64(st, 2), std::int64_t{k} * 1'000'000'007);
    if (k % 4 == 1 || k % 7 == 0)
      EXPECT_EQ(sqlite3_column_type(st, 3), SQLITE_NULL) << k;
    else
      EXPECT_EQ(sqlite3_column_double(st, 3), k / 3.0) << k;
    if (k % 6 == 2)
      EXPECT_EQ(sqlite3_column_type(st, 4), SQLITE_NULL) << k;
    else
      EXPECT_EQ(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 4))),
                std::string(static_cast<std::size_t>(k % 9), static_cast<char>('a' + k % 26)))
          << k;
    const std::int64_t t = times[static_cast<std::size_t>(k)];
    if (t == kNoTime) {
      EXPECT_EQ(sqlite3_column_type(st, 5), SQLITE_NULL) << k;
    } else {
      std::string want = format_utc(t);
      want.insert(want.size() - 1, ".000");
      EXPECT_EQ(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 5))), want) << k;
    }
  }
  EXPECT_EQ(k, n);
  sqlite3_finalize(st);
  sqlite3_close(db);
}

TEST(GpkgWriter, MissingOutputDirectoryIsAnIoError) {
  test::TempDir dir;
  EXPECT_THROW(GpkgWriter(dir.file("no/such/dir/out.gpkg")), IoError);
}

// Category names of any kind become fields of a layer GDAL opens, one field per category, each
// with its own value (SQLite would refuse "duplicate column name" for n_Theft and n_theft).
TEST(GpkgWriter, FieldsFromRandomUnicodeCategoriesMakeAValidLayer) {
  register_gdal_once();
  test::TempDir dir;
  std::mt19937 rng(7);
  const std::vector<std::string> pool = {"theft",
                                         "Theft",
                                         "THEFT",
                                         "Tr\xE1\xBB\x99m c\xE1\xBA\xAFp",
                                         "tr\xE1\xBB\x99m c\xE1\xBA\xAFp",
                                         "Tr\xE1\xBB\x99m-c\xE1\xBA\xAFp",
                                         "\"",
                                         "a'b",
                                         "\xE4\xB8\xAD",
                                         std::string(80, 'z'),
                                         "\xF0\x9F\x98\x80",
                                         " "};
  for (int round = 0; round < 5; ++round) {
    std::vector<std::string> cats;
    for (int k = 0; k < 30; ++k)
      cats.push_back(pool[rng() % pool.size()] + pool[rng() % pool.size()]);
    const std::vector<std::string> names = unique_field_names(cats, "n_", {"name"});
    std::vector<FieldDef> fields = {{"name", FieldType::kText}};
    for (const auto& n : names) fields.push_back({n, FieldType::kInteger});
    const std::string out = dir.file("cats" + std::to_string(round) + ".gpkg");
    {
      GpkgWriter w(out);
      auto& L = w.begin_layer("communes", GeometryType::kPoint, parse_crs("EPSG:32648", "test"),
                              fields, "");
      L.set_point({500000.0, 2300000.0});
      L.set(0, std::string_view("A"));
      for (std::size_t k = 0; k < names.size(); ++k)
        L.set(static_cast<int>(k + 1), static_cast<std::int64_t>(k));
      L.insert();
      w.commit();
    }
    DatasetPtr ds(static_cast<GDALDataset*>(
        GDALOpenEx(out.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr)));
    ASSERT_TRUE(ds);
    OGRLayer* layer = ds->GetLayerByName("communes");
    ASSERT_TRUE(layer);
    ASSERT_EQ(layer->GetLayerDefn()->GetFieldCount(), static_cast<int>(fields.size()));
    FeaturePtr f(layer->GetNextFeature());
    ASSERT_TRUE(f);
    for (std::size_t k = 0; k < names.size(); ++k) {
      const int i = layer->GetLayerDefn()->GetFieldIndex(names[k].c_str());
      ASSERT_EQ(i, static_cast<int>(k + 1)) << names[k];
      EXPECT_EQ(f->GetFieldAsInteger64(i), static_cast<GIntBig>(k));
    }
  }
}
}  // namespace
}  // namespace hotspot
