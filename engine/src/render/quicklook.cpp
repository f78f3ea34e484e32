#include "render/quicklook.hpp"

#include <cairo.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <numeric>
#include <optional>

#include "hotspot/error.hpp"
#include "io/incidents.hpp"
#include "io/styles.hpp"
#include "render/draw.hpp"
#include "util/temp_file.hpp"

namespace hotspot {

namespace fs = std::filesystem;

namespace {

using namespace render;

constexpr RGB kInk{30, 30, 30};
constexpr RGB kMuted{90, 90, 90};
constexpr RGB kCommuneLine{125, 125, 125};
constexpr RGB kZonePurple{118, 42, 131};
constexpr RGB kHotspotRed{225, 0, 0};
constexpr RGB kRoad{150, 150, 150};
constexpr double kDensityAlpha = 0.9;
constexpr double kHotspotFillAlpha = 0.15;

// Legend rows, in units of QuickLookLayout::unit. The layout sizes the box from these and the
// drawing advances by them, so the two cannot drift apart.
constexpr double kLegendPad = 16, kLegendHeading = 34, kLegendDensityHead = 30, kLegendClass = 26,
                 kLegendSwatch = 34, kKeyRow = 20, kKeyHead = 34;

struct Range {
  double min = 0, max = 0;
};

// The smallest and largest positive valid cell; none when the raster has no such cell.
std::optional<Range> positive_range(const DensityRaster* r) {
  std::optional<Range> range;
  if (!r) return range;
  for (float v : r->values)
    if (v != r->nodata && v > 0) {
      if (!range) range = Range{v, v};
      range->min = std::min<double>(range->min, v);
      range->max = std::max<double>(range->max, v);
    }
  return range;
}

Box union_bounds(const std::vector<MultiPolygon>& layer) {
  Box b;
  for (const MultiPolygon& mp : layer) b.expand(bounds(mp));
  return b;
}

int legend_swatches(const QuickLookInput& in) {
  return !in.hotspot_zones.empty() + !in.communes.empty() + !in.zones.empty() + !in.roads.empty();
}

// The class colour of `v`, as QGIS's discrete density style draws it: the first class whose
// upper bound (bounds[1..]) is >= v, the last above them all.
RGB class_color(double v, const DensityClasses& c) {
  auto it = std::lower_bound(c.bounds.begin() + 1, c.bounds.end(), v);
  const auto k = static_cast<std::size_t>(std::min<std::ptrdiff_t>(
      it - c.bounds.begin() - 1, static_cast<std::ptrdiff_t>(c.size()) - 1));
  return c.colors[k];
}

MapFrame frame_of(const QuickLookLayout& L) { return {L.map_x, L.map_y, L.map_w, L.map_h, L.world, L.px_per_m}; }

// One image the size of the frame, each pixel the cell under its centre: cost and memory follow
// the page, not the raster, which may be far larger than cairo's 32767-pixel limit.
void draw_density(cairo_t* cr, const QuickLookLayout& L, const DensityRaster& r,
                  const DensityClasses& classes) {
  const int w = static_cast<int>(L.map_w), h = static_cast<int>(L.map_h);
  SurfacePtr img(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h));
  if (cairo_surface_status(img.get()) != CAIRO_STATUS_SUCCESS)
    throw IoError("quick-look map: cannot allocate a " + std::to_string(w) + " × " +
                  std::to_string(h) + " image");
  cairo_surface_flush(img.get());
  unsigned char* data = cairo_image_surface_get_data(img.get());
  const int stride = cairo_image_surface_get_stride(img.get());
  std::fill(data, data + static_cast<std::ptrdiff_t>(stride) * h, 0);
  const Grid& g = r.grid;
  for (int py = 0; py < h; ++py) {
    const double y = L.world.ymax - (py + 0.5) / L.px_per_m;
    const double row = std::floor((g.ymax - y) / g.cell);
    if (!(row >= 0 && row < static_cast<double>(g.rows))) continue;
    auto* line = reinterpret_cast<std::uint32_t*>(data + static_cast<std::ptrdiff_t>(stride) * py);
    for (int px = 0; px < w; ++px) {
      const double x = L.world.xmin + (px + 0.5) / L.px_per_m;
      const double col = std::floor((x - g.xmin) / g.cell);
      if (!(col >= 0 && col < static_cast<double>(g.cols))) continue;
      const float v = r.values[static_cast<std::size_t>(row) * static_cast<std::size_t>(g.cols) +
                               static_cast<std::size_t>(col)];
      if (v == r.nodata || !(v > 0)) continue;
      const RGB c = class_color(v, classes);
      auto premultiplied = [](int channel) {
        return static_cast<std::uint32_t>(std::lround(channel * kDensityAlpha));
      };
      line[px] = premultiplied(255) << 24 | premultiplied(c.r) << 16 | premultiplied(c.g) << 8 |
                 premultiplied(c.b);
    }
  }
  cairo_surface_mark_dirty(img.get());
  cairo_set_source_surface(cr, img.get(), L.map_x, L.map_y);
  cairo_paint(cr);
}

void stroke_layer(cairo_t* cr, const QuickLookLayout& L, const std::vector<MultiPolygon>& layer) {
  for (const MultiPolygon& mp : layer) {
    polygon_path(cr, frame_of(L), mp);
    cairo_stroke(cr);
  }
}

void draw_hotspots(cairo_t* cr, const QuickLookLayout& L, const std::vector<MultiPolygon>& layer) {
  const double u = L.unit;
  cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  for (const MultiPolygon& mp : layer) {
    polygon_path(cr, frame_of(L), mp);
    set_color(cr, kHotspotRed, kHotspotFillAlpha);
    cairo_fill_preserve(cr);
    // A white casing under the red line separates it from the red end of the density ramp.
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_set_line_width(cr, 5.5 * u);
    cairo_stroke_preserve(cr);
    set_color(cr, kHotspotRed);
    cairo_set_line_width(cr, 3 * u);
    cairo_stroke(cr);
  }
}

void scale_bar(cairo_t* cr, const QuickLookLayout& L, bool planar) {
  const double u = L.unit;
  const double length_m = scale_bar_length_m(0.25 * L.map_w / L.px_per_m);
  const double bar = length_m * L.px_per_m, x = L.map_x + 16 * u, y = L.map_y + L.map_h - 22 * u;
  char label[32];
  if (planar)
    std::snprintf(label, sizeof label, "%g data units", length_m);
  else if (length_m >= 1000)
    std::snprintf(label, sizeof label, "%g km", length_m / 1000);
  else
    std::snprintf(label, sizeof label, "%g m", length_m);
  const double label_w = text_width(cr, label, 14 * u, Face::kRegular);
  cairo_rectangle(cr, x - 8 * u, y - 30 * u, bar + label_w / 2 + 16 * u, 40 * u);
  cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
  cairo_fill(cr);
  for (int half = 0; half < 2; ++half) {
    cairo_rectangle(cr, x + half * bar / 2, y - 7 * u, bar / 2, 7 * u);
    half == 0 ? set_color(cr, kInk) : cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_fill_preserve(cr);
    set_color(cr, kInk);
    cairo_set_line_width(cr, 1 * u);
    cairo_stroke(cr);
  }
  draw_text(cr, "0", x, y - 12 * u, 14 * u, Face::kRegular, kInk, Align::kCentre);
  draw_text(cr, label, x + bar, y - 12 * u, 14 * u, Face::kRegular, kInk, Align::kCentre);
}

// Grid north: the working CRS's y axis points up the page.
void north_arrow(cairo_t* cr, const QuickLookLayout& L) {
  const double u = L.unit, x = L.map_x + L.map_w - 30 * u, y = L.map_y + 40 * u;
  draw_text(cr, "N", x, y, 18 * u, Face::kBold, kInk, Align::kCentre, true);
  cairo_move_to(cr, x, y + 6 * u);
  cairo_line_to(cr, x + 10 * u, y + 40 * u);
  cairo_line_to(cr, x, y + 32 * u);
  cairo_line_to(cr, x - 10 * u, y + 40 * u);
  cairo_close_path(cr);
  set_color(cr, kInk);
  cairo_fill_preserve(cr);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_set_line_width(cr, 1.5 * u);
  cairo_stroke(cr);
}

// ---- Legend --------------------------------------------------------------------------------

// The density's classes, the QGIS style's (density_classes, with the same hotspot threshold);
// none without a surface with positive cells.
DensityClasses density_legend(const QuickLookInput& in) {
  if (!positive_range(in.density)) return {};
  return density_classes(in.density->values, in.density->nodata, in.density_threshold);
}

void draw_legend(cairo_t* cr, const QuickLookLayout& L, const QuickLookInput& in,
                 const DensityClasses& classes) {
  if (classes.size() == 0 && legend_swatches(in) == 0) return;
  const double u = L.unit, x = L.legend_x + kLegendPad * u, w = L.legend_w - 2 * kLegendPad * u;
  cairo_rectangle(cr, L.legend_x + 0.5, L.legend_y + 0.5, L.legend_w - 1, L.legend_h - 1);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_fill_preserve(cr);
  cairo_set_source_rgb(cr, 0.7, 0.7, 0.7);
  cairo_set_line_width(cr, 1);
  cairo_stroke(cr);

  double y = L.legend_y + kLegendPad * u;
  draw_text(cr, "Legend", x, y + 20 * u, 20 * u, Face::kBold, kInk);
  y += kLegendHeading * u;

  const double sw = 36 * u, sh = 20 * u;
  if (classes.size() > 0) {
    const std::string head = "Density (" + in.density_unit + ")";
    draw_text(cr, head, x, y + 16 * u, fitted_size(cr, head, 16 * u, Face::kBold, w), Face::kBold, kInk);
    y += kLegendDensityHead * u;
    for (std::size_t k = 0; k < classes.size(); ++k) {
      cairo_rectangle(cr, x, y + 3 * u, sw, sh);
      set_color(cr, classes.colors[k], kDensityAlpha);
      cairo_fill(cr);
      const std::string& label = classes.labels[k];
      draw_text(cr, label, x + sw + 12 * u, y + 19 * u,
                fitted_size(cr, label, 15 * u, Face::kRegular, w - sw - 12 * u), Face::kRegular,
                kInk);
      y += kLegendClass * u;
    }
    y += 8 * u;
  }

  auto swatch_label = [&](const char* label) {
    draw_text(cr, label, x + sw + 12 * u, y + 23 * u, 16 * u, Face::kRegular, kInk);
    y += kLegendSwatch * u;
  };
  if (!in.hotspot_zones.empty()) {
    cairo_rectangle(cr, x, y + 7 * u, sw, sh);
    set_color(cr, kHotspotRed, kHotspotFillAlpha);
    cairo_fill_preserve(cr);
    set_color(cr, kHotspotRed);
    cairo_set_line_width(cr, 3 * u);
    cairo_stroke(cr);
    swatch_label("Hotspot zone (id)");
  }
  if (!in.communes.empty()) {
    cairo_rectangle(cr, x, y + 7 * u, sw, sh);
    set_color(cr, kCommuneLine);
    cairo_set_line_width(cr, 1.2 * u);
    cairo_stroke(cr);
    swatch_label("Commune boundary");
  }
  if (!in.zones.empty()) {
    const double dash[] = {7 * u, 4 * u};
    cairo_set_dash(cr, dash, 2, 0);
    cairo_rectangle(cr, x, y + 7 * u, sw, sh);
    set_color(cr, kZonePurple);
    cairo_set_line_width(cr, 2.2 * u);
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0);
    swatch_label("Industrial zone");
  }
  if (!in.roads.empty()) {
    cairo_move_to(cr, x, y + 17 * u);
    cairo_line_to(cr, x + sw, y + 17 * u);
    set_color(cr, kRoad);
    cairo_set_line_width(cr, 1.5 * u);
    cairo_stroke(cr);
    swatch_label("Road");
  }
}

// Hotspot ids first (they must never give way), then commune names, then zone names. Returns the
// key of the names that did not fit, numbered.
std::vector<KeyEntry> draw_labels(cairo_t* cr, const QuickLookLayout& L, const QuickLookInput& in, bool draw) {
  const MapFrame f = frame_of(L);
  const double u = L.unit;
  std::vector<Rect> taken;
  if (in.hotspot_ids.size() == in.hotspot_zones.size())
    for (std::size_t k = 0; k < in.hotspot_zones.size(); ++k) {
      const std::optional<LabelSpot> spot = label_spot(in.hotspot_zones[k]);
      if (!spot) continue;
      const XY p = f.to_px(spot->at);
      const double size = 17 * u, w = text_width(cr, in.hotspot_ids[k], size, Face::kBold);
      taken.push_back({p.x - w / 2 - 2, p.y - size * 0.6, p.x + w / 2 + 2, p.y + size * 0.6});
      if (draw) draw_text(cr, in.hotspot_ids[k], p.x, p.y + size * 0.35, size, Face::kBold, kHotspotRed, Align::kCentre, true);
    }
  int number = 1;
  std::vector<KeyEntry> key =
      place_labels(cr, f, in.communes, in.commune_names, {15 * u, 9 * u, Face::kRegular, kInk}, taken, number, draw);
  std::vector<KeyEntry> zkey =
      place_labels(cr, f, in.zones, in.zone_names, {14 * u, 9 * u, Face::kOblique, kZonePurple}, taken, number, draw);
  key.insert(key.end(), zkey.begin(), zkey.end());
  return key;
}

// Columns of "12  Name" under the map.
int key_columns(const QuickLookLayout& L) { return std::max(1, static_cast<int>((L.width - 2 * L.map_x) / (300 * L.unit))); }

void draw_key(cairo_t* cr, const QuickLookLayout& L, const std::vector<KeyEntry>& key) {
  if (key.empty()) return;
  const double u = L.unit, top = L.map_y + L.map_h + 44 * u;
  draw_text(cr, "Numbered on the map", L.map_x, top + 18 * u, 16 * u, Face::kBold, kInk);
  const int cols = key_columns(L);
  const std::size_t rows = (key.size() + static_cast<std::size_t>(cols) - 1) / static_cast<std::size_t>(cols);
  const double col_w = (L.width - 2 * L.map_x) / cols;
  for (std::size_t k = 0; k < key.size(); ++k) {
    const double x = L.map_x + static_cast<double>(k / rows) * col_w;
    const double y = top + kKeyHead * u + static_cast<double>(k % rows) * kKeyRow * u;
    const std::string line = std::to_string(key[k].number) + "  " + key[k].name;
    draw_text(cr, line, x, y, fitted_size(cr, line, 14 * u, Face::kRegular, col_w - 10 * u), Face::kRegular, kInk);
  }
}

void draw_roads(cairo_t* cr, const QuickLookLayout& L, const std::vector<std::vector<XY>>& roads) {
  set_color(cr, kRoad);
  cairo_set_line_width(cr, 1.2 * L.unit);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  for (const auto& line : roads) {
    for (std::size_t i = 0; i < line.size(); ++i) {
      const XY p = L.to_px(line[i]);
      i == 0 ? cairo_move_to(cr, p.x, p.y) : cairo_line_to(cr, p.x, p.y);
    }
    cairo_stroke(cr);
  }
}

void draw_page(cairo_t* cr, const QuickLookLayout& L, const QuickLookInput& in) {
  const double u = L.unit;
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);

  const double margin = L.map_x, text_w = L.width - 2 * margin;
  draw_text(cr, in.title, margin, margin + 40 * u,
            fitted_size(cr, in.title, 38 * u, Face::kBold, text_w), Face::kBold, kInk);
  draw_text(cr, in.subtitle, margin, margin + 78 * u,
            fitted_size(cr, in.subtitle, 22 * u, Face::kRegular, text_w), Face::kRegular, kMuted);

  const DensityClasses classes = density_legend(in);

  cairo_save(cr);
  cairo_rectangle(cr, L.map_x, L.map_y, L.map_w, L.map_h);
  cairo_clip(cr);
  if (classes.size() > 0) draw_density(cr, L, *in.density, classes);
  draw_roads(cr, L, in.roads);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  set_color(cr, kCommuneLine);
  cairo_set_line_width(cr, 1.2 * u);
  stroke_layer(cr, L, in.communes);
  const double dash[] = {9 * u, 5 * u};
  cairo_set_dash(cr, dash, 2, 0);
  set_color(cr, kZonePurple);
  cairo_set_line_width(cr, 2.2 * u);
  stroke_layer(cr, L, in.zones);
  cairo_set_dash(cr, nullptr, 0, 0);
  draw_hotspots(cr, L, in.hotspot_zones);
  const std::vector<KeyEntry> key = draw_labels(cr, L, in, /*draw=*/true);
  scale_bar(cr, L, in.planar);
  north_arrow(cr, L);
  cairo_restore(cr);

  cairo_rectangle(cr, L.map_x + 0.5, L.map_y + 0.5, L.map_w - 1, L.map_h - 1);
  set_color(cr, kMuted);
  cairo_set_line_width(cr, 1);
  cairo_stroke(cr);
  draw_legend(cr, L, in, classes);
  draw_text(cr, in.crs_label, L.map_x, L.map_y + L.map_h + 24 * u, 13 * u, Face::kRegular, kMuted);
  draw_key(cr, L, key);
}

}  // namespace

double scale_bar_length_m(double max_m) {
  double p = std::pow(10.0, std::floor(std::log10(max_m)));
  if (10 * p <= max_m) p *= 10;  // log10 may land just below an exact power of ten
  for (double f : {5.0, 2.0, 1.0})
    if (f * p <= max_m) return f * p;
  return p;
}

QuickLookLayout quicklook_layout(const QuickLookInput& in) {
  if (in.width_px < 400 || in.width_px > 6000)
    throw UsageError("quick-look map width " + std::to_string(in.width_px) +
                     " px is outside 400..6000");
  QuickLookLayout L;
  L.width = in.width_px;
  const double u = L.unit = in.width_px / 1600.0;

  Box b = union_bounds(in.communes);
  if (b.empty() && in.density && in.density->grid.size() > 0) b = in.density->grid.box();
  if (b.empty()) b = union_bounds(in.zones);
  if (b.empty()) b = union_bounds(in.hotspot_zones);
  if (b.empty() || !std::isfinite(b.xmax - b.xmin) || !std::isfinite(b.ymax - b.ymin))
    b = {0, 0, 1000, 1000};  // nothing to draw: an empty square kilometre
  // A point or a line still gets an area to show; then a 4 % margin on every side.
  const double side = std::max({b.xmax - b.xmin, b.ymax - b.ymin, 1.0});
  const double dx = std::max(b.xmax - b.xmin, 0.05 * side) * 1.08,
               dy = std::max(b.ymax - b.ymin, 0.05 * side) * 1.08;
  const XY centre{(b.xmin + b.xmax) / 2, (b.ymin + b.ymax) / 2};

  const double margin = std::round(32 * u), gap = std::round(28 * u);
  L.legend_w = std::round(340 * u);
  const std::size_t classes = density_legend(in).size();
  L.legend_h = std::round(u * (2 * kLegendPad + kLegendHeading +
                               (classes > 0 ? kLegendDensityHead + 8 + kLegendClass * static_cast<double>(classes) : 0) +
                               kLegendSwatch * legend_swatches(in)));
  L.map_x = margin;
  L.map_y = margin + std::round(100 * u);
  L.map_w = in.width_px - 2 * margin - gap - L.legend_w;
  L.map_h = std::max(std::round(L.map_w * std::clamp(dy / dx, 0.45, 1.6)), L.legend_h);
  L.legend_x = L.map_x + L.map_w + gap;
  L.legend_y = L.map_y;
  L.height = static_cast<int>(L.map_y + L.map_h + std::round(40 * u));

  L.px_per_m = std::min(L.map_w / dx, L.map_h / dy);
  const double half_w = L.map_w / L.px_per_m / 2, half_h = L.map_h / L.px_per_m / 2;
  L.world = {centre.x - half_w, centre.y - half_h, centre.x + half_w, centre.y + half_h};
  return L;
}

std::pair<int, int> write_quicklook_png(const std::string& path, const QuickLookInput& in) {
  if (in.density && in.density->values.size() != in.density->grid.size())
    throw InternalError("quick-look map: density raster holds " +
                        std::to_string(in.density->values.size()) + " values for " +
                        std::to_string(in.density->grid.size()) + " cells");
  QuickLookLayout L = quicklook_layout(in);
  {
    // The key of numbered names goes under the map: measure it first, on a scratch surface.
    SurfacePtr scratch(cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1));
    ContextPtr cr(cairo_create(scratch.get()));
    const std::size_t n = draw_labels(cr.get(), L, in, /*draw=*/false).size();
    if (n > 0) {
      const auto cols = static_cast<std::size_t>(key_columns(L));
      L.height += static_cast<int>(std::round(L.unit * (kKeyHead + 30 + kKeyRow * static_cast<double>((n + cols - 1) / cols))));
    }
  }

  fs::path target(path);
  fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw IoError("quick-look map: output directory '" + dir.string() + "' does not exist");

  // RGB24: no alpha channel, so viewers show the white page as drawn.
  SurfacePtr surface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, L.width, L.height));
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS)
    throw IoError("quick-look map: cannot allocate a " + std::to_string(L.width) + " × " +
                  std::to_string(L.height) + " image");
  {
    ContextPtr cr(cairo_create(surface.get()));
    draw_page(cr.get(), L, in);
    if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS)
      throw InternalError(std::string("quick-look map: drawing failed: ") +
                          cairo_status_to_string(cairo_status(cr.get())));
  }
  cairo_surface_flush(surface.get());

  const std::string temp = temp_path_for(path);
  cairo_status_t status = cairo_surface_write_to_png(surface.get(), temp.c_str());
  if (status != CAIRO_STATUS_SUCCESS) {
    fs::remove(temp, ec);
    throw IoError("quick-look map: cannot write '" + temp +
                  "' next to the output: " + cairo_status_to_string(status));
  }
  fs::rename(temp, target, ec);
  if (ec) {
    const std::string why = ec.message();
    fs::remove(temp, ec);
    throw IoError("quick-look map: cannot move the finished map into place at '" + path +
                  "': " + why);
  }
  return {L.width, L.height};
}

}  // namespace hotspot
