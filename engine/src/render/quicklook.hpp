#pragma once
// The quick-look PNG map a run writes beside its GeoPackage: density surface, hotspot zones,
// communes and industrial zones on white, with a title, legend, scale bar and north arrow. Drawn
// with cairo; geometry is in the working CRS (metres, y up).
#include <string>
#include <utility>
#include <vector>

#include "hotspot/density.hpp"
#include "hotspot/geometry.hpp"

namespace hotspot {

// Every label's font: DejaVu Sans has the Vietnamese letters (fonts-dejavu-core). Cairo's toy
// text API uses one font per face, with no per-glyph fallback, so this choice decides it.
inline constexpr const char* kQuickLookFont = "DejaVu Sans";

struct QuickLookInput {
  std::string title;                       // e.g. "Hotspots — An Dương"
  std::string subtitle;                    // e.g. "2025-01-01 – 2025-12-31 · 50,003 incidents"
  std::string crs_label;                   // e.g. "EPSG:9210", printed small under the map
  bool planar = false;                     // no CRS: the scale bar is in data units, not m/km
  const DensityRaster* density = nullptr;  // may be null; nodata and zero cells stay transparent
  std::string density_unit;                // e.g. "incidents per km²"
  double density_threshold = -1;  // the hotspot zones' density threshold, a class break; -1: none
  std::vector<MultiPolygon> hotspot_zones;
  std::vector<std::string> hotspot_ids;  // empty, or one per zone ("Z3", as hotspot top prints)
  std::vector<MultiPolygon> communes;
  std::vector<std::string>
      commune_names;  // empty, or one per commune: each labelled, shrunk or moved to fit, else
                      // numbered with a key under the map
  std::vector<MultiPolygon> zones;      // industrial zones
  std::vector<std::string> zone_names;  // empty, or one per zone; labelled as communes are
  std::vector<std::vector<XY>> roads;  // line strings, drawn thin and grey under the boundaries
  int width_px = 1600;                  // DEFAULT: 1600; 400..6000, else UsageError
};

// Where everything goes on the page: pixels with y down. The frame shows `world` (working CRS,
// y up) at `px_per_m`, the frame's aspect ratio and the world box's being equal.
struct QuickLookLayout {
  int width = 0, height = 0;
  double map_x = 0, map_y = 0, map_w = 0, map_h = 0;
  double legend_x = 0, legend_y = 0, legend_w = 0, legend_h = 0;
  Box world;
  double px_per_m = 1;
  double unit = 1;  // width / 1600: every size on the page is a multiple of it

  XY to_px(XY p) const {
    return {map_x + (p.x - world.xmin) * px_per_m, map_y + (world.ymax - p.y) * px_per_m};
  }
};

// The frame fits the communes (else the density raster's extent, else the industrial zones, else
// the hotspot zones) with a small margin; the image's height follows that extent's aspect ratio
// (clamped to 0.45..1.6 of the map's width) plus the title and footer.
QuickLookLayout quicklook_layout(const QuickLookInput& in);

// The scale bar's length: the largest 1, 2 or 5 × 10^k metres not above max_m (> 0).
double scale_bar_length_m(double max_m);

// Writes the map as an RGB PNG atomically (a temporary file beside the target, renamed when
// complete). Throws IoError when it cannot be written. Returns the image's width and height.
std::pair<int, int> write_quicklook_png(const std::string& path, const QuickLookInput& in);

}  // namespace hotspot
