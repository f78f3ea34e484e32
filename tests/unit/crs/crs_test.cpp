#include <gtest/gtest.h>

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

}  // namespace
}  // namespace hotspot
