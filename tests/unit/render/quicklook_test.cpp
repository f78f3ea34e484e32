// The quick-look PNG map: drawn from the bundled sample plus a planted density bump, read back with
// GDAL's PNG driver and checked pixel by pixel (layers where they belong, white margins), the
// page layout, the font's Vietnamese letters and atomic writing.
#include "render/draw.hpp"
#include "render/quicklook.hpp"

#include <cairo.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <set>

#include "hotspot/density.hpp"
#include "hotspot/error.hpp"
#include "io/gdal_util.hpp"
#include "io/polygons.hpp"
#include "jobs/load.hpp"
#include "support/temp_dir.hpp"

namespace hotspot {
namespace {

namespace fs = std::filesystem;

struct Rgb {
  int r, g, b;
  bool white() const { return r == 255 && g == 255 && b == 255; }
  // The hotspot outline's red: no colour of the density ramp has this much red with this little
  // green and blue.
  bool hotspot_red() const { return r >= 200 && g <= 40 && b <= 40; }
};

struct Png {
  int width = 0, height = 0;
  std::vector<unsigned char> rgb;  // interleaved, row-major from the top-left
  Rgb at(int x, int y) const {
    const auto i = 3 * (static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                        static_cast<std::size_t>(x));
    return {rgb[i], rgb[i + 1], rgb[i + 2]};
  }
};

Png read_png(const std::string& path) {
  register_gdal_once();
  DatasetPtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
  if (!ds) throw std::runtime_error("GDAL cannot open " + path);
  EXPECT_STREQ(ds->GetDriver()->GetDescription(), "PNG");
  EXPECT_EQ(ds->GetRasterCount(), 3);  // RGB, no alpha
  Png png{ds->GetRasterXSize(), ds->GetRasterYSize(), {}};
  png.rgb.resize(3 * static_cast<std::size_t>(png.width) * static_cast<std::size_t>(png.height));
  int bands[] = {1, 2, 3};
  if (ds->RasterIO(GF_Read, 0, 0, png.width, png.height, png.rgb.data(), png.width, png.height,
                   GDT_Byte, 3, bands, 3, 3 * png.width, 1, nullptr) != CE_None)
    throw std::runtime_error("GDAL cannot read " + path);
  return png;
}

// The sample's communes and industrial zones in the communes' CRS (VN-2000 / TM-3, metres), a
// Gaussian density bump (cut at 3σ) around `centre` with a strip of nodata on the west, and the
// hotspot zone of that bump above half its peak.
struct SampleMap {
  PolygonLayer communes, zones;
  DensityRaster density;
  XY centre;
  QuickLookInput input;

  SampleMap() {
    PolygonOptions o;
    o.path = std::string(HOTSPOT_SOURCE_DIR) + "/data/sample/communes.gpkg";
    communes = read_polygons(o, "communes", "--communes-crs");
    o.path = std::string(HOTSPOT_SOURCE_DIR) + "/data/sample/zones.geojson";
    zones = read_polygons(o, "zones", "--zones-crs");
    project_polygons(zones, communes.source_crs, "zone");

    Box extent;
    for (const MultiPolygon& mp : communes.geom) extent.expand(bounds(mp));
    centre = {(extent.xmin + extent.xmax) / 2, (extent.ymin + extent.ymax) / 2};
    density.grid = grid_for_extent(extent, 50);
    const Grid& g = density.grid;
    for (std::int64_t r = 0; r < g.rows; ++r)
      for (std::int64_t c = 0; c < g.cols; ++c) {
        const double d2 = std::pow(g.x(c) - centre.x, 2) + std::pow(g.y(r) - centre.y, 2),
                     sigma = 700;
        float v = d2 < 9 * sigma * sigma
                      ? static_cast<float>(200 * std::exp(-d2 / (2 * sigma * sigma)))
                      : 0.0f;
        density.values.push_back(c < g.cols / 10 ? density.nodata : v);
      }

    input.title = "Hotspots — An Dương";
    input.subtitle = "2025-01-01 – 2025-12-31 · 50,003 incidents";
    input.crs_label = "EPSG:9210";
    input.density = &density;
    input.density_unit = "incidents per km²";
    for (const HotspotZone& z : hotspot_zones(density, 100, {}, {}, communes.geom, zones.geom))
      input.hotspot_zones.push_back(z.geom);
    input.communes = communes.geom;
    input.commune_names = communes.name;
    input.zones = zones.geom;
    input.zone_names = zones.name;
  }
};

TEST(QuickLook, SampleMapShowsEveryLayerWhereItBelongs) {
  SampleMap map;
  ASSERT_EQ(map.communes.size(), 20u);
  ASSERT_EQ(map.zones.size(), 3u);
  ASSERT_EQ(map.input.hotspot_zones.size(), 1u);
  test::TempDir dir;
  const std::string path = dir.file("demo.png");
  const auto [w, h] = write_quicklook_png(path, map.input);
  const QuickLookLayout L = quicklook_layout(map.input);
  EXPECT_EQ(w, 1600);
  EXPECT_EQ(w, L.width);
  EXPECT_EQ(h, L.height);

  const Png png = read_png(path);
  ASSERT_EQ(png.width, w);
  ASSERT_EQ(png.height, h);

  std::set<int> colours;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      Rgb c = png.at(x, y);
      colours.insert(c.r << 16 | c.g << 8 | c.b);
    }
  EXPECT_GT(colours.size(), 200u);

  // White page: corners, the left margin and the strip under the CRS label.
  for (auto [x, y] : {std::pair{0, 0}, {w - 1, 0}, {0, h - 1}, {w - 1, h - 1}})
    EXPECT_TRUE(png.at(x, y).white());
  for (int y = 0; y < h; ++y)
    for (int x = 0; x + 2 < L.map_x; ++x) ASSERT_TRUE(png.at(x, y).white()) << x << "," << y;
  for (int y = static_cast<int>(L.map_y + L.map_h + 32 * L.unit); y < L.map_y + L.map_h + 40 * L.unit; ++y)
    for (int x = 0; x < w; ++x) ASSERT_TRUE(png.at(x, y).white()) << x << "," << y;

  // The density bump is coloured; the frame's empty corner (zero density) is not.
  XY peak = L.to_px(map.centre);
  Rgb at_peak = png.at(static_cast<int>(peak.x), static_cast<int>(peak.y));
  EXPECT_FALSE(at_peak.white());
  EXPECT_GT(at_peak.r, at_peak.b + 60);
  EXPECT_TRUE(png.at(static_cast<int>(L.map_x) + 4, static_cast<int>(L.map_y) + 4).white());

  // Hotspot red inside the frame lies on the zone's outline, and only there.
  Box zone = bounds(map.input.hotspot_zones[0]);
  XY top_left = L.to_px({zone.xmin, zone.ymax}), bottom_right = L.to_px({zone.xmax, zone.ymin});
  const double pad = 5;
  int on_zone = 0, elsewhere = 0;
  for (int y = static_cast<int>(L.map_y); y < L.map_y + L.map_h; ++y)
    for (int x = static_cast<int>(L.map_x); x < L.map_x + L.map_w; ++x) {
      if (!png.at(x, y).hotspot_red()) continue;
      const bool near_zone = x >= top_left.x - pad && x <= bottom_right.x + pad &&
                             y >= top_left.y - pad && y <= bottom_right.y + pad;
      ++(near_zone ? on_zone : elsewhere);
    }
  const double perimeter_px = 2 * ((bottom_right.x - top_left.x) + (bottom_right.y - top_left.y));
  EXPECT_GT(on_zone, perimeter_px / 2);
  EXPECT_EQ(elsewhere, 0);
  // The zone's middle shows the density through the translucent fill, not the outline colour.
  EXPECT_FALSE(at_peak.hotspot_red());
}

// Every name is either drawn or numbered with a key entry, and no two drawn names overlap, even
// on a map too small for most of them.
TEST(QuickLook, EveryNameIsPlacedOrKeyedWithoutOverlap) {
  SampleMap map;
  const QuickLookLayout L = quicklook_layout(map.input);
  render::SurfacePtr s(cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1));
  render::ContextPtr cr(cairo_create(s.get()));
  const render::MapFrame f{L.map_x, L.map_y, L.map_w, L.map_h, L.world, L.px_per_m};
  // The quick-look's sizes, then letters too big for most communes.
  for (double size : {15.0, 60.0}) {
    std::vector<render::Rect> taken;
    int number = 1;
    const auto key = render::place_labels(cr.get(), f, map.communes.geom, map.communes.name,
                                          {size * L.unit, size * L.unit * 0.6, render::Face::kRegular, {0, 0, 0}},
                                          taken, number, false);
    // One rectangle per commune: its name, or its number.
    EXPECT_EQ(taken.size(), map.communes.size()) << size;
    EXPECT_EQ(number - 1, static_cast<int>(key.size()));
    // Names never overlap (a number may, so the key can point at every commune).
    if (key.empty()) {
      for (std::size_t i = 0; i < taken.size(); ++i)
        for (std::size_t j = i + 1; j < taken.size(); ++j) EXPECT_FALSE(taken[i].overlaps(taken[j])) << size;
    }
    if (size == 15.0) {
      EXPECT_EQ(key.size(), 0u);  // the sample's 20 names all fit
    }
    if (size == 60.0) {
      EXPECT_GT(key.size(), 0u);
    }
  }
}

TEST(QuickLook, FontHasTheVietnameseLettersInBothWeights) {
  const std::string text = "Hotspots — An Dương, Đồng Thái, Hồng Phong, Lê Thiện · km² ≥";
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 8, 8);
  cairo_t* cr = cairo_create(surface);
  for (cairo_font_weight_t weight : {CAIRO_FONT_WEIGHT_NORMAL, CAIRO_FONT_WEIGHT_BOLD}) {
    cairo_select_font_face(cr, kQuickLookFont, CAIRO_FONT_SLANT_NORMAL, weight);
    cairo_glyph_t* glyphs = nullptr;
    int n = 0;
    ASSERT_EQ(cairo_scaled_font_text_to_glyphs(cairo_get_scaled_font(cr), 0, 0, text.c_str(), -1,
                                               &glyphs, &n, nullptr, nullptr, nullptr),
              CAIRO_STATUS_SUCCESS);
    EXPECT_GT(n, 50);
    for (int i = 0; i < n; ++i)
      EXPECT_NE(glyphs[i].index, 0u) << "glyph " << i << " is the font's .notdef";
    cairo_glyph_free(glyphs);
  }
  cairo_destroy(cr);
  cairo_surface_destroy(surface);
}

MultiPolygon square(double x0, double y0, double x1, double y1) {
  return {Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}, {}}};
}

TEST(QuickLook, HeightFollowsTheDataWithinLimits) {
  QuickLookInput wide;
  wide.communes = {square(0, 0, 3000, 1000)};
  QuickLookInput tall;
  tall.communes = {square(0, 0, 1000, 2000)};
  QuickLookInput even;
  even.communes = {square(0, 0, 1000, 1000), square(1000, 0, 2000, 1000),
                   square(0, 1000, 2000, 2000)};
  const QuickLookLayout lw = quicklook_layout(wide), lt = quicklook_layout(tall),
                        le = quicklook_layout(even);
  EXPECT_LT(lw.height, le.height);
  EXPECT_LT(le.height, lt.height);
  EXPECT_NEAR(le.map_h / le.map_w, 1.0, 0.01);
  EXPECT_NEAR(lw.map_h / lw.map_w, 0.45, 0.01);  // 1:3 is clamped
  EXPECT_NEAR(lt.map_h / lt.map_w, 1.6, 0.01);   // 2:1 is clamped
  for (const QuickLookLayout& L : {lw, lt, le}) {
    EXPECT_EQ(L.width, 1600);
    // The world box keeps the frame's aspect, so metres are square on the page.
    EXPECT_NEAR((L.world.xmax - L.world.xmin) * L.px_per_m, L.map_w, 1e-6);
    EXPECT_NEAR((L.world.ymax - L.world.ymin) * L.px_per_m, L.map_h, 1e-6);
    EXPECT_LE(L.legend_x + L.legend_w, L.width);
    EXPECT_LE(L.legend_h, L.map_h);
  }
  EXPECT_TRUE(lt.world.contains({0, 0}) && lt.world.contains({1000, 2000}));

  // Without communes the frame fits the density raster.
  DensityRaster r;
  r.grid = grid_for_extent({500, 700, 900, 800}, 10);
  r.values.assign(r.grid.size(), 1.0f);
  QuickLookInput density_only;
  density_only.density = &r;
  const QuickLookLayout ld = quicklook_layout(density_only);
  EXPECT_TRUE(ld.world.contains({500, 700}) && ld.world.contains({900, 800}));
  EXPECT_LT(ld.world.xmax - ld.world.xmin, 500);

  QuickLookInput narrow;
  narrow.width_px = 100;
  EXPECT_THROW(quicklook_layout(narrow), UsageError);
}

TEST(QuickLook, ScaleBarLengthIsRound) {
  EXPECT_EQ(scale_bar_length_m(1000), 1000);
  EXPECT_EQ(scale_bar_length_m(1999), 1000);
  EXPECT_EQ(scale_bar_length_m(2600), 2000);
  EXPECT_EQ(scale_bar_length_m(9999), 5000);
  EXPECT_EQ(scale_bar_length_m(100000), 100000);
  EXPECT_EQ(scale_bar_length_m(730), 500);
  EXPECT_DOUBLE_EQ(scale_bar_length_m(0.3), 0.2);
}

TEST(QuickLook, SmallMapsWithoutDensityOrWithNothingAreStillDrawn) {
  test::TempDir dir;
  QuickLookInput in;
  // Invalid UTF-8 (a Latin-1 name, say) would stop cairo drawing; it is replaced, not fatal.
  in.title = "Xã Đồng Thái \xff";
  in.communes = {square(0, 0, 1000, 1000), square(1000, 0, 2000, 1000)};
  in.commune_names = {"An Đồng", "H\xf4ng Phong"};
  in.zones = {square(200, 200, 600, 500)};
  in.width_px = 800;
  const auto [w, h] = write_quicklook_png(dir.file("small.png"), in);
  const Png png = read_png(dir.file("small.png"));
  EXPECT_EQ(png.width, 800);
  EXPECT_EQ(w, 800);
  EXPECT_EQ(png.height, h);
  XY boundary = quicklook_layout(in).to_px({1000, 250});  // between the communes, past the zone
  EXPECT_FALSE(png.at(static_cast<int>(boundary.x), static_cast<int>(boundary.y)).white());

  QuickLookInput nothing;
  nothing.subtitle = "no incidents";
  write_quicklook_png(dir.file("nothing.png"), nothing);
  EXPECT_EQ(read_png(dir.file("nothing.png")).width, 1600);
}

TEST(QuickLook, UnwritablePathsThrowIoErrorAndLeaveNoTemporaryFile) {
  test::TempDir dir;
  QuickLookInput in;
  in.communes = {square(0, 0, 1000, 1000)};
  EXPECT_THROW(write_quicklook_png(dir.file("missing/map.png"), in), IoError);
  // The target is a directory: the map is drawn and written, then cannot be renamed into place.
  fs::create_directory(dir.file("taken.png"));
  EXPECT_THROW(write_quicklook_png(dir.file("taken.png"), in), IoError);
  // The temporary name is too long for the file system although the target's is not.
  EXPECT_THROW(write_quicklook_png(dir.file(std::string(250, 'm') + ".png"), in), IoError);
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(dir.path()))
    left.push_back(e.path().filename().string());
  EXPECT_EQ(left, std::vector<std::string>{"taken.png"});
  EXPECT_TRUE(fs::is_empty(dir.file("taken.png")));
}

}  // namespace
}  // namespace hotspot
