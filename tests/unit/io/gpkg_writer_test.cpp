// GeoPackage writer: atomic replacement, identifiers that could inject SQL, UTF-8 round trips.
#include "io/gpkg_writer.hpp"

#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>

#include <filesystem>
#include <fstream>

#include "hotspot/error.hpp"
#include "io/gdal_util.hpp"
#include "support/temp_dir.hpp"

namespace hotspot {
namespace {

namespace fs = std::filesystem;

void write_points(const std::string& path, const std::string& layer, int n, bool commit) {
  GpkgWriter w(path);
  auto& L = w.begin_layer(layer, GeometryType::kPoint, parse_crs("EPSG:32648", "test"),
                          {{"name", FieldType::Text}, {"v", FieldType::Real}}, "test layer");
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
    w.begin_layer("pts", GeometryType::kPoint, parse_crs("EPSG:32648", "t"), {}, "");  // duplicate table
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
                            {{"it's \"odd\"", FieldType::Text}}, "");
    L.set_point({1, 2});
    L.set(0, std::string_view("'); DELETE FROM gpkg_contents; --"));
    L.insert();
    w.commit();
  }
  register_gdal_once();
  DatasetPtr ds(static_cast<GDALDataset*>(GDALOpenEx(out.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr)));
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
  DatasetPtr ds(static_cast<GDALDataset*>(GDALOpenEx(out.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr)));
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

TEST(GpkgWriter, MissingOutputDirectoryIsAnIoError) {
  test::TempDir dir;
  EXPECT_THROW(GpkgWriter(dir.file("no/such/dir/out.gpkg")), IoError);
}

}  // namespace
}  // namespace hotspot
