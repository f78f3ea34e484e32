#include <gtest/gtest.h>
#include <ogr_spatialref.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "crs/transform.hpp"
#include "hotspot/error.hpp"

namespace hotspot {
namespace {

TEST(Crs, ParsesCodesAndPlanar) {
  Crs vn = parse_crs("EPSG:9210", "--work-crs");
  EXPECT_EQ(vn.kind, Crs::Kind::kProjected);
  EXPECT_TRUE(vn.metres);
  EXPECT_EQ(vn.authority, "EPSG:9210");
  EXPECT_FALSE(vn.area_of_use_lonlat.empty());
  EXPECT_TRUE(parse_crs("EPSG:4326", "x").geographic());
  EXPECT_TRUE(parse_crs("planar", "x").planar());
  EXPECT_THROW(parse_crs("EPSG:999999", "--work-crs"), UsageError);
  EXPECT_THROW(parse_crs("not a crs", "--work-crs"), UsageError);
}

TEST(Crs, UtmZoneOfHaiPhong) {
  Crs utm = utm_crs_for(106.68, 20.86);
  EXPECT_EQ(utm.authority, "EPSG:32648");
  EXPECT_EQ(utm_crs_for(-0.1, 51.5).authority, "EPSG:32630");
  EXPECT_EQ(utm_crs_for(151.2, -33.9).authority, "EPSG:32756");
}

TEST(Crs, TransformKeepsLongitudeFirst) {
  // On UTM 48N's central meridian (105°E) the easting is exactly 500,000 m.
  Transformer t(parse_crs("EPSG:4326", "x"), parse_crs("EPSG:32648", "y"));
  double x[] = {105.0, 106.0}, y[] = {20.0, 20.0};
  EXPECT_EQ(t.transform(2, x, y), 0u);
  EXPECT_NEAR(x[0], 500000.0, 1e-6);
  EXPECT_NEAR(y[0], 2211481.3077, 1e-3);  // gdaltransform -s_srs EPSG:4326 -t_srs EPSG:32648
  EXPECT_GT(x[1], 600000.0);
}

TEST(Crs, PlanarDoesNotMixWithGeoreferencedData) {
  EXPECT_THROW(Transformer(Crs{}, parse_crs("EPSG:32648", "x")), CrsError);
  EXPECT_TRUE(Transformer(Crs{}, Crs{}).identity());
  EXPECT_TRUE(Transformer(parse_crs("EPSG:32648", "a"), parse_crs("EPSG:32648", "b")).identity());
}

TEST(Crs, PreparedTransformerIsTheOneTransformerBuilds) {
  const Crs wgs = parse_crs("EPSG:4326", "x"), vn = parse_crs("EPSG:9210", "y");
  const Crs utm = parse_crs("EPSG:32648", "z");
  double x0[] = {106.59482, 105.9, 107.1}, y0[] = {20.896617, 21.02, 20.4};
  double x1[3], y1[3], x2[3], y2[3];
  std::copy(x0, x0 + 3, x1), std::copy(y0, y0 + 3, y1), std::copy(x0, x0 + 3, x2), std::copy(y0, y0 + 3, y2);
  Transformer(wgs, vn).transform(3, x1, y1);
  PreparedTransformer prepared(wgs, vn);
  prepared.take(wgs, vn).transform(3, x2, y2, 2);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(x1[i], x2[i]);
    EXPECT_EQ(y1[i], y2[i]);
  }
  // Prepared for another pair (or for nothing): take() builds the pair asked for.
  PreparedTransformer other(wgs, vn);
  double x3[] = {105.0}, y3[] = {20.0};
  other.take(wgs, utm).transform(1, x3, y3);
  EXPECT_NEAR(x3[0], 500000.0, 1e-6);
  PreparedTransformer none;
  EXPECT_THROW(none.take(Crs{}, utm), CrsError);
  EXPECT_TRUE(PreparedTransformer(utm, utm).take(utm, utm).identity());
  PreparedTransformer unused(wgs, utm);  // never taken: its destructor waits for the thread
}

// A CRS as files carry it: the WKT 1 of `code`, its name replaced by `rename` (unless empty) and
// `in_datum` inserted after the datum's ellipsoid.
Crs crs_from_wkt1_of(const char* code, const std::string& rename, const std::string& in_datum) {
  OGRSpatialReference srs;
  srs.SetFromUserInput(code);
  char* wkt = nullptr;
  srs.exportToWkt(&wkt);
  std::string text = wkt;
  CPLFree(wkt);
  if (!rename.empty()) {
    const auto open = text.find('"') + 1, close = text.find('"', open);
    text.replace(open, close - open, rename);
  }
  if (!in_datum.empty()) text.insert(text.find("]]", text.find("SPHEROID[")) + 2, in_datum);
  OGRSpatialReference file;
  EXPECT_EQ(file.importFromWkt(text.c_str()), OGRERR_NONE) << text;
  return crs_from_ogr(&file);
}

// A file's copy of a registered CRS becomes the registered one: same transformation, same
// definition, and PROJ finds its datum by code. A definition of its own stays as the file has it.
TEST(Crs, AFilesCopyOfARegisteredCrsIsBuiltFromItsCode) {
  const Crs wgs = parse_crs("EPSG:4326", "x");
  EXPECT_TRUE(wgs.registry);
  const Crs copy = crs_from_wkt1_of("EPSG:9210", "VN_2000_TM3_105_45", "");
  EXPECT_TRUE(copy.registry);
  EXPECT_EQ(copy.authority, "EPSG:9210");
  EXPECT_EQ(copy.name, "VN-2000 / TM-3 105-45");  // the registry's name, not the file's spelling
  // Against the same CRS rebuilt from its WKT alone: the same coordinates, bit for bit.
  Crs from_text = copy;
  from_text.registry = false;
  double x1[] = {106.59482, 106.7}, y1[] = {20.896617, 20.8}, x2[2], y2[2];
  std::copy(x1, x1 + 2, x2), std::copy(y1, y1 + 2, y2);
  Transformer(wgs, copy).transform(2, x1, y1);
  Transformer(wgs, from_text).transform(2, x2, y2);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(x1[i], x2[i]);
    EXPECT_EQ(y1[i], y2[i]);
  }
  // A datum shift of the file's own (TOWGS84) keeps the file's definition.
  const Crs bound = crs_from_wkt1_of("EPSG:4756", "", ",TOWGS84[100,100,100,0,0,0,0]");
  EXPECT_FALSE(bound.registry);
  EXPECT_NE(bound.wkt.find("BOUNDCRS"), std::string::npos);
  // Without a code PROJ applies that shift (with one, PROJ prefers its own operations either way).
  OGRSpatialReference plain;
  plain.importFromWkt(
      "GEOGCS[\"custom\",DATUM[\"custom_datum\",SPHEROID[\"WGS 84\",6378137,298.257223563],"
      "TOWGS84[100,100,100,0,0,0,0]],PRIMEM[\"Greenwich\",0],UNIT[\"degree\",0.0174532925199433]]");
  const Crs custom = crs_from_ogr(&plain);
  EXPECT_FALSE(custom.registry);
  EXPECT_TRUE(custom.authority.empty());
  double x3[] = {106.59482}, y3[] = {20.896617};
  Transformer(wgs, custom).transform(1, x3, y3);
  EXPECT_GT(std::hypot(x3[0] - 106.59482, y3[0] - 20.896617), 1e-4);  // ~170 m, in degrees
}

// A file's TOWGS84 beside an EPSG code is not applied (PROJ prefers the registered operation); the
// loader's warning says how far apart the two shifts put the data, and how to apply the file's.
TEST(Crs, AnIgnoredTowgs84IsMeasured) {
  const Crs utm84 = parse_crs("EPSG:32648", "x");
  const Crs zero = crs_from_wkt1_of("EPSG:3405", "", ",TOWGS84[0,0,0,0,0,0,0]");
  const auto s = ignored_datum_shift(zero);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->towgs84, "0, 0, 0, 0, 0, 0, 0");
  EXPECT_NE(s->proj.find("+towgs84=0,0,0,0,0,0,0"), std::string::npos) << s->proj;
  // The measure is what the two transformations do to a point of Hai Phong.
  double x1[] = {600000}, y1[] = {2300000}, x2[] = {600000}, y2[] = {2300000};
  Transformer(zero, utm84).transform(1, x1, y1);
  Transformer(parse_crs(s->proj, "x"), utm84).transform(1, x2, y2);
  const double here = std::hypot(x1[0] - x2[0], y1[0] - y2[0]);
  EXPECT_GT(here, 200);  // EPSG's VN-2000 -> WGS 84 shift is about 220 m in Hai Phong
  EXPECT_NEAR(s->metres, here, 0.1 * here);  // measured at the area of use's centre instead
  // Into that CRS PROJ ignores the shift too: WGS 84 -> the bound CRS is the registry's way.
  double x3[] = {106.7}, y3[] = {20.8}, x4[] = {106.7}, y4[] = {20.8};
  Transformer(parse_crs("EPSG:4326", "x"), zero).transform(1, x3, y3);
  Transformer(parse_crs("EPSG:4326", "x"), parse_crs("EPSG:3405", "x")).transform(1, x4, y4);
  EXPECT_NEAR(x3[0], x4[0], 1e-6);
  EXPECT_NEAR(y3[0], y4[0], 1e-6);
  // A datum change makes the shift matter; VN-2000 / UTM 48N -> VN-2000 / TM-3 is none.
  EXPECT_TRUE(changes_datum(zero, utm84));
  EXPECT_TRUE(changes_datum(parse_crs("EPSG:4326", "x"), zero));
  EXPECT_FALSE(changes_datum(zero, parse_crs("EPSG:9210", "x")));
  EXPECT_FALSE(changes_datum(parse_crs("planar", "x"), parse_crs("planar", "x")));
  // The registry's own parameters, within a metre: nothing to say.
  const Crs official = crs_from_wkt1_of(
      "EPSG:3405", "",
      ",TOWGS84[-191.90441429,-39.30318279,-111.45032835,-0.00928836,0.01975479,-0.00427372,"
      "0.252906278]");
  EXPECT_FALSE(ignored_datum_shift(official).has_value());
  // No TOWGS84 in the file, or no code (PROJ then applies the file's shift): nothing is ignored.
  EXPECT_FALSE(ignored_datum_shift(parse_crs("EPSG:3405", "x")).has_value());
  EXPECT_FALSE(ignored_datum_shift(parse_crs(s->proj, "x")).has_value());
  EXPECT_FALSE(ignored_datum_shift(parse_crs("planar", "x")).has_value());
}

// Geodesic areas against closed forms. The octant (0,0)-(90°E,0)-(0,90°N) has geodesic edges
// (the equator and two meridians), so its area is exactly an eighth of the ellipsoid's surface:
// on a sphere pi R^2 / 2; on an ellipsoid 2 pi a^2 (1 + (1 - e^2) / e atanh e) / 8.
TEST(Crs, GeodesicAreaOfTheOctant) {
  const MultiPolygon octant = {Polygon{{{0, 0}, {90, 0}, {0, 90}, {0, 0}}, {}}};
  const double pi = std::acos(-1.0);
  const double R = 6371000;
  EXPECT_NEAR(geodesic_area_m2(octant, parse_crs("+proj=longlat +R=6371000 +no_defs", "x")),
              pi * R * R / 2, 1e-6 * pi * R * R / 2);
  const double a = 6378137, f = 1 / 298.257223563, e2 = f * (2 - f), e = std::sqrt(e2);
  const double surface = 2 * pi * a * a * (1 + (1 - e2) / e * std::atanh(e));
  EXPECT_NEAR(geodesic_area_m2(octant, parse_crs("EPSG:4326", "x")), surface / 8, 1e-6 * surface);
}

TEST(Crs, GeodesicAreaSubtractsHolesAndIgnoresOrientation) {
  // A 0.01° square near Hai Phong, clockwise, with a hole of a quarter of it.
  Polygon p{{{106.60, 20.80}, {106.60, 20.81}, {106.61, 20.81}, {106.61, 20.80}, {106.60, 20.80}},
            {{{106.600, 20.800}, {106.605, 20.800}, {106.605, 20.805}, {106.600, 20.805},
              {106.600, 20.800}}}};
  const Crs wgs84 = parse_crs("EPSG:4326", "x");
  const double full = geodesic_area_m2({Polygon{p.shell, {}}}, wgs84);
  // 0.01° of latitude × 0.01° of longitude at 20.805°N on WGS 84, from the radii of curvature
  // M = a(1-e²)/(1-e² sin²φ)^1.5 and N cos φ = a cos φ/(1-e² sin²φ)^0.5: 1107.15 m × 1041.05 m,
  // within 0.1 %.
  EXPECT_NEAR(full, 1107.15 * 1041.05, 0.001 * full);
  EXPECT_NEAR(geodesic_area_m2({p}, wgs84), 0.75 * full, 0.001 * full);
  EXPECT_THROW(geodesic_area_m2({p}, parse_crs("EPSG:32648", "x")), InternalError);
}

}  // namespace
}  // namespace hotspot
