// Polygon ingest: repair, null geometries, CRS detection (none, planar), non-polygon layers.
#include "io/polygons.hpp"

#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>

#include <cmath>
#include <memory>

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

// An empty id is a missing one (the fid stands in, as for NULL; "" is an incident outside every
// commune), and ids shared by several features are named in a warning.
TEST(Polygons, EmptyAndSharedIdsAreWarnedAbout) {
  test::TempDir dir;
  auto square = [](int x) {
    return R"("geometry":{"type":"Polygon","coordinates":[[[)" + std::to_string(x) + ",0],[" +
           std::to_string(x + 1) + ",0],[" + std::to_string(x + 1) + ",1],[" + std::to_string(x) +
           ",1],[" + std::to_string(x) + ",0]]]}}";
  };
  auto path = dir.write("ids.geojson", R"({"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"commune_id":"A"},)" + square(0) + R"(,
{"type":"Feature","properties":{"commune_id":"A"},)" + square(1) + R"(,
{"type":"Feature","properties":{"commune_id":" "},)" + square(2) + R"(,
{"type":"Feature","properties":{"commune_id":null},)" + square(3) + "]}");
  const PolygonLayer layer = read(path, "planar");
  ASSERT_EQ(layer.size(), 4u);
  EXPECT_EQ(layer.id[2], std::to_string(layer.fid[2]));
  EXPECT_EQ(layer.id[3], std::to_string(layer.fid[3]));
  std::string all;
  for (const auto& w : layer.warnings) all += w + "\n";
  EXPECT_NE(all.find("2 features have an empty commune_id"), std::string::npos) << all;
  EXPECT_NE(all.find("1 feature repeats the id of another ('A' on fids"), std::string::npos) << all;
  EXPECT_NE(all.find("give --communes-id-field a field whose values are unique"), std::string::npos)
      << all;
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

// The area of an OGR geometry read through valid_multipolygon (curves linearised, rings closed,
// collections flattened); -1 when nothing is left.
double area_of_wkt(const char* wkt, bool* repaired) {
  OGRGeometry* g = nullptr;
  EXPECT_EQ(OGRGeometryFactory::createFromWkt(wkt, nullptr, &g), OGRERR_NONE) << wkt;
  std::unique_ptr<OGRGeometry> owned(g);
  Geos geos;
  MultiPolygon mp = valid_multipolygon(*g, geos, repaired);
  if (mp.empty()) return -1;
  std::string why;
  EXPECT_TRUE(geos.is_valid(geos.from(mp).get(), &why)) << wkt << ": " << why;
  return geos.area(geos.from(mp).get());
}

TEST(Polygons, CurvesAreLinearised) {
  const double pi = std::acos(-1.0);
  bool repaired = true;
  // A full circle of radius 1 as one circular string: linearised, its area close to pi.
  EXPECT_NEAR(area_of_wkt("CURVEPOLYGON(CIRCULARSTRING(1 0,-1 0,1 0))", &repaired), pi, 0.01);
  EXPECT_FALSE(repaired);
  // A half disc (arc over the bottom, then straight back): 2 + pi/2 for the square plus half disc.
  EXPECT_NEAR(area_of_wkt("CURVEPOLYGON(COMPOUNDCURVE(CIRCULARSTRING(0 0,1 -1,2 0),(2 0,2 2,0 2,0 0)))",
                          &repaired),
              4 + pi / 2, 0.01);
  EXPECT_NEAR(area_of_wkt("MULTISURFACE(CURVEPOLYGON(CIRCULARSTRING(1 0,-1 0,1 0)),"
                          "((5 5,6 5,6 6,5 6,5 5)))",
                          &repaired),
              pi + 1, 0.01);
}

TEST(Polygons, CollectionsKeepTheirPolygonsOnly) {
  bool repaired = true;
  EXPECT_NEAR(area_of_wkt("GEOMETRYCOLLECTION(POLYGON((0 0,2 0,2 2,0 2,0 0)),LINESTRING(0 0,5 5),"
                          "POINT(9 9),MULTIPOLYGON(((10 10,11 10,11 11,10 10))))",
                          &repaired),
              4.5, 1e-12);
  EXPECT_FALSE(repaired);
  EXPECT_EQ(area_of_wkt("GEOMETRYCOLLECTION(LINESTRING(0 0,5 5),POINT(9 9))", &repaired), -1);
}

TEST(Polygons, UnclosedRingsAreClosed) {
  bool repaired = true;
  EXPECT_NEAR(area_of_wkt("POLYGON((0 0,3 0,3 3,0 3))", &repaired), 9, 1e-12);
  EXPECT_FALSE(repaired);
  EXPECT_NEAR(area_of_wkt("POLYGON((0 0,3 0,3 3,0 3,0 0),(1 1,2 1,2 2))", &repaired), 8.5, 1e-12);
  EXPECT_NEAR(area_of_wkt("MULTIPOLYGON(((0 0,1 0,1 1)),((5 5,6 5,6 6,5 6)))", &repaired), 1.5,
              1e-12);
  // Two distinct points cannot be a ring even when closed: nothing left, never a GEOS error.
  EXPECT_EQ(area_of_wkt("POLYGON((0 0,1 0))", &repaired), -1);
  EXPECT_TRUE(repaired);
}

TEST(Polygons, MissingIdAndNameFieldsAreWarned) {
  test::TempDir dir;
  auto path = dir.write("nofields.geojson", R"({"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"commune_i":"A","label":"a"},
 "geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}}]})");
  auto layer = read(path, "EPSG:4326");
  ASSERT_EQ(layer.warnings.size(), 2u);
  EXPECT_NE(layer.warnings[0].find("no id field found"), std::string::npos);
  EXPECT_NE(layer.warnings[0].find("fields: commune_i, label"), std::string::npos)
      << layer.warnings[0];
  EXPECT_NE(layer.warnings[1].find("no name field found"), std::string::npos);
  EXPECT_EQ(layer.id[0], "0");  // the feature number
  PolygonOptions o;
  o.path = path;
  o.crs = "EPSG:4326";
  o.id_field = "commune_id";
  try {
    read_polygons(o, "communes", "--communes-crs");
    FAIL() << "a configured field that is missing must be refused";
  } catch (const UsageError& e) {  // the user named it: exit 2
    EXPECT_NE(std::string(e.what()).find("commune_i, label"), std::string::npos) << e.what();
  }
}

TEST(Polygons, InvalidUtf8NamesAreReplacedAndCountedOnce) {
  test::TempDir dir;
  auto path = dir.write("latin.csv",
                        "WKT,commune_id,name\n"
                        "\"POLYGON((0 0,1 0,1 1,0 1,0 0))\",A,An \xa7\xd3ng\n"
                        "\"POLYGON((1 0,2 0,2 1,1 1,1 0))\",B\xb8,Ok\n"
                        "\"POLYGON((2 0,3 0,3 1,2 1,2 0))\",C,Fine\n");
  auto layer = read(path, "EPSG:4326");
  ASSERT_EQ(layer.size(), 3u);
  EXPECT_EQ(layer.name[0], "An \xEF\xBF\xBD\xEF\xBF\xBDng");
  EXPECT_EQ(layer.id[1], "B\xEF\xBF\xBD");
  ASSERT_EQ(layer.warnings.size(), 1u);
  EXPECT_NE(layer.warnings[0].find("2 ids or names were not valid UTF-8"), std::string::npos)
      << layer.warnings[0];
  EXPECT_NE(layer.warnings[0].find("latin.csv"), std::string::npos);
}

}  // namespace
}  // namespace hotspot
