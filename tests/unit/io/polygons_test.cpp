// Polygon ingest: repair, null geometries, CRS detection (none, planar), non-polygon layers.
#include "io/polygons.hpp"

#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>

#include "geom/geos.hpp"
#include "hotspot/error.hpp"
#include "io/gdal_util.hpp"
#include "io/gpkg_writer.hpp"
#include "support/fixtures.hpp"

namespace hotspot {
namespace {

PolygonLayer read(const std::string& path, const std::string& crs = "",
                  const std::string& population = "") {
  PolygonOptions o;
  o.path = path;
  o.crs = crs;
  o.population_field = population;
  return read_polygons(o, "communes", "--communes-crs");
}

TEST(Polygons, BowtieIsRepairedWithMakeValidAndCounted) {
  test::TempDir dir;
  auto path = dir.write("bowtie.geojson", R"({"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"commune_id":"X","name":"Nơ","population":1},
 "geometry":{"type":"Polygon","coordinates":[[[0,0],[2,2],[2,0],[0,2],[0,0]]]}}]})");
  auto layer = read(path);
  ASSERT_EQ(layer.size(), 1u);
  EXPECT_EQ(layer.repaired, 1);
  // The structure method keeps both lobes: two triangles of area 1 each.
  ASSERT_EQ(layer.geom[0].size(), 2u);
  Geos geos;
  EXPECT_NEAR(geos.area(geos.from(layer.geom[0]).get()), 2.0, 1e-12);
  std::string why;
  EXPECT_TRUE(geos.is_valid(geos.from(layer.geom[0]).get(), &why)) << why;
}

TEST(Polygons, NullAndEmptyGeometriesAreReportedNotLost) {
  test::TempDir dir;
  auto path = dir.write("nulls.geojson", R"({"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"commune_id":"A","name":"a","population":1},"geometry":null},
{"type":"Feature","properties":{"commune_id":"B","name":"b","population":1},
 "geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}}]})");
  auto layer = read(path);
  EXPECT_EQ(layer.read, 2);
  EXPECT_EQ(layer.size(), 1u);
  ASSERT_EQ(layer.dropped.size(), 1u);
  EXPECT_NE(layer.dropped[0].find("null geometry"), std::string::npos);
  EXPECT_EQ(layer.id[0], "B");
}

TEST(Polygons, VietnameseNamesAndPopulationAreRead) {
  test::TempDir dir;
  auto layer = read(test::two_communes(dir), "", "population");
  ASSERT_EQ(layer.size(), 2u);
  EXPECT_EQ(layer.name[0], "An Đồng");
  EXPECT_EQ(layer.name[1], "Hồng Phong");
  EXPECT_EQ(layer.population[0], 10000);
  EXPECT_TRUE(layer.source_crs.geographic());
  EXPECT_EQ(layer.source_crs.authority, "EPSG:4326");
}

TEST(Polygons, LayerWithoutCrsNeedsAnOverride) {
  test::TempDir dir;
  register_gdal_once();
  const std::string path = dir.file("nocrs.shp");
  {
    auto* drv = GetGDALDriverManager()->GetDriverByName("ESRI Shapefile");
    DatasetPtr ds(drv->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    OGRLayer* l = ds->CreateLayer("nocrs", nullptr, wkbPolygon, nullptr);
    OGRFeature f(l->GetLayerDefn());
    OGRPolygon poly;
    OGRLinearRing ring;
    for (auto [x, y] : {std::pair{0., 0.}, {10., 0.}, {10., 10.}, {0., 10.}, {0., 0.}})
      ring.addPoint(x, y);
    poly.addRing(&ring);
    f.SetGeometry(&poly);
    ASSERT_EQ(l->CreateFeature(&f), OGRERR_NONE);
  }
  try {
    read(path);
    FAIL() << "expected a CrsError";
  } catch (const CrsError& e) {
    EXPECT_NE(std::string(e.what()).find("--communes-crs"), std::string::npos);
  }
  EXPECT_TRUE(read(path, "planar").source_crs.planar());
  EXPECT_EQ(read(path, "EPSG:9210").source_crs.authority, "EPSG:9210");
}

TEST(Polygons, GeoPackageWithUndefinedCartesianSrsIsPlanar) {
  test::TempDir dir;
  const std::string path = dir.file("planar.gpkg");
  {
    GpkgWriter w(path);
    auto& L =
        w.begin_layer("units", GeometryType::kMultiPolygon, Crs{}, {{"id", FieldType::kText}}, "");
    L.set_geometry({Polygon{{{0, 0}, {5, 0}, {5, 5}, {0, 5}, {0, 0}}, {}}});
    L.set(0, std::string_view("u1"));
    L.insert();
    w.commit();
  }
  auto layer = read(path);
  EXPECT_TRUE(layer.source_crs.planar());
  EXPECT_EQ(layer.id[0], "u1");
}

TEST(Polygons, PointLayerIsRefusedAsPolygons) {
  test::TempDir dir;
  auto path = dir.write("pts.geojson", R"({"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"a"},"geometry":{"type":"Point","coordinates":[1,2]}}]})");
  EXPECT_THROW(read(path), InputError);
  EXPECT_THROW(read(dir.file("absent.gpkg")), IoError);
}

}  // namespace
}  // namespace hotspot
