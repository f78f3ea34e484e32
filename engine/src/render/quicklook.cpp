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
#include "util/temp_file.hpp"

namespace hotspot {

namespace fs = std::filesystem;

namespace {

constexpr RGB kInk{30, 30, 30};
constexpr RGB kMuted{90, 90, 90};
constexpr RGB kCommuneLine{125, 125, 125};
constexpr RGB kZonePurple{118, 42, 131};
constexpr RGB kHotspotRed{225, 0, 0};
constexpr double kDensityAlpha = 0.9;
constexpr double kHotspotFillAlpha = 0.15;
constexpr std::size_t kMaxLabels = 8;  // per layer, largest first

// Legend rows, in units of QuickLookLayout::unit. The layout sizes the box from these and the
// drawing advances by them, so the two cannot drift apart.
constexpr double kLegendPad = 16, kLegendHeading = 34, kLegendDensity = 106, kLegendSwatch = 34;

struct SurfaceDeleter {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct ContextDeleter {
  void operator()(cairo_t* c) const { cairo_destroy(c); }
};
using SurfacePtr = std::unique_ptr<cairo_surface_t, SurfaceDeleter>;
using ContextPtr = std::unique_ptr<cairo_t, ContextDeleter>;

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
  return !in.hotspot_zones.empty() + !in.communes.empty() + !in.zones.empty();
}

void set_color(cairo_t* cr, RGB c, double alpha = 1) {
  cairo_set_source_rgba(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0, alpha);
}

// ---- Text ----------------------------------------------------------------------------------

enum class Face { kRegular, kBold, kOblique };
enum class Align { kLeft, kCentre, kRight };

void set_font(cairo_t* cr, double size, Face face) {
  cairo_select_font_face(
      cr, kQuickLookFont,
      face == Face::kOblique ? CAIRO_FONT_SLANT_OBLIQUE : CAIRO_FONT_SLANT_NORMAL,
      face == Face::kBold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
}

// Invalid UTF-8 would put the cairo context into an error state and silently stop all drawing.
double text_width(cairo_t* cr, const std::string& s, double size, Face face) {
  set_font(cr, size, face);
  cairo_text_extents_t e;
  cairo_text_extents(cr, sanitize_utf8(s).c_str(), &e);
  return e.x_advance;
}

// `y` is the baseline. A halo (a white outline under the glyphs) keeps labels readable on the map.
void draw_text(cairo_t* cr, const std::string& s, double x, double y, double size, Face face,
               RGB color, Align align = Align::kLeft, bool halo = false) {
  const std::string text = sanitize_utf8(s);
  const double w = text_width(cr, text, size, face);
  cairo_move_to(cr, align == Align::kLeft ? x : align == Align::kCentre ? x - w / 2 : x - w, y);
  if (halo) {
    cairo_text_path(cr, text.c_str());
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_set_line_width(cr, size * 0.22);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_stroke_preserve(cr);
    set_color(cr, color);
    cairo_fill(cr);
  } else {
    set_color(cr, color);
    cairo_show_text(cr, text.c_str());
  }
}

// The largest size (from `size` down) at which `s` fits in `max_w` pixels.
double fitted_size(cairo_t* cr, const std::string& s, double size, Face face, double max_w) {
  const double w = text_width(cr, s, size, face);
  return w > max_w ? size * max_w / w : size;
}

std::string format_value(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, std::abs(v) >= 100 ? "%.0f" : "%.3g", v);
  return buf;
}

// ---- Geometry ------------------------------------------------------------------------------

double ring_area(const Ring& r) {
  double a = 0;
  for (std::size_t i = 1; i < r.size(); ++i) a += r[i - 1].x * r[i].y - r[i].x * r[i - 1].y;
  return std::abs(a) / 2;
}

double polygon_area(const Polygon& p) {
  double a = ring_area(p.shell);
  for (const Ring& h : p.holes) a -= ring_area(h);
  return a;
}

struct LabelSpot {
  XY at;
  double width_m = 0;  // room along the line through `at`
};

// A label point inside the largest part: the middle of the widest inside span of a few horizontal
// lines across it (a bounding-box centre can fall outside a concave commune).
std::optional<LabelSpot> label_spot(const MultiPolygon& mp) {
  const Polygon* part = nullptr;
  for (const Polygon& p : mp)
    if (!part || polygon_area(p) > polygon_area(*part)) part = &p;
  if (!part) return std::nullopt;
  Box b;
  for (XY q : part->shell) b.expand(q);
  std::optional<LabelSpot> best;
  for (double f : {0.5, 0.35, 0.65}) {
    const double y = b.ymin + f * (b.ymax - b.ymin);
    std::vector<double> xs;
    auto cross = [&](const Ring& r) {
      for (std::size_t i = 1; i < r.size(); ++i)
        if ((r[i - 1].y > y) != (r[i].y > y))
          xs.push_back(r[i - 1].x +
                       (y - r[i - 1].y) * (r[i].x - r[i - 1].x) / (r[i].y - r[i - 1].y));
    };
    cross(part->shell);
    for (const Ring& h : part->holes) cross(h);
    std::sort(xs.begin(), xs.end());
    for (std::size_t i = 0; i + 1 < xs.size(); i += 2)
      if (!best || xs[i + 1] - xs[i] > best->width_m)
        best = LabelSpot{{(xs[i] + xs[i + 1]) / 2, y}, xs[i + 1] - xs[i]};
  }
  return best;
}

void polygon_path(cairo_t* cr, const QuickLookLayout& L, const MultiPolygon& mp) {
  auto ring = [&](const Ring& r) {
    for (std::size_t i = 0; i < r.size(); ++i) {
      XY p = L.to_px(r[i]);
      i == 0 ? cairo_move_to(cr, p.x, p.y) : cairo_line_to(cr, p.x, p.y);
    }
    cairo_close_path(cr);
  };
  for (const Polygon& p : mp) {
    ring(p.shell);
    for (const Ring& h : p.holes) ring(h);
  }
}

// ---- Layers --------------------------------------------------------------------------------

// Linear in RGB between the stops' colours, as QGIS interpolates the density style's ramp.
RGB ramp_color(double v, const std::vector<double>& stops, const std::vector<RGB>& colors) {
  if (v <= stops.front()) return colors.front();
  if (v >= stops.back()) return colors.back();
  const std::size_t i =
      static_cast<std::size_t>(std::upper_bound(stops.begin(), stops.end(), v) - stops.begin()) - 1;
  const double t = (v - stops[i]) / (stops[i + 1] - stops[i]);
  auto mix = [&](int a, int b) { return static_cast<int>(std::lround(a + t * (b - a))); };
  return {mix(colors[i].r, colors[i + 1].r), mix(colors[i].g, colors[i + 1].g),
          mix(colors[i].b, colors[i + 1].b)};
}

// One image the size of the frame, each pixel the cell under its centre: cost and memory follow
// the page, not the raster, which may be far larger than cairo's 32767-pixel limit.
void draw_density(cairo_t* cr, const QuickLookLayout& L, const DensityRaster& r,
                  const std::vector<double>& stops) {
  const int w = static_cast<int>(L.map_w), h = static_cast<int>(L.map_h);
  SurfacePtr img(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h));
  if (cairo_surface_status(img.get()) != CAIRO_STATUS_SUCCESS)
    throw IoError("quick-look map: cannot allocate a " + std::to_string(w) + " × " +
                  std::to_string(h) + " image");
  cairo_surface_flush(img.get());
  unsigned char* data = cairo_image_surface_get_data(img.get());
  const int stride = cairo_image_surface_get_stride(img.get());
  std::fill(data, data + static_cast<std::ptrdiff_t>(stride) * h, 0);
  const std::vector<RGB> colors = density_stop_colors(stops.size());
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
      const RGB c = ramp_color(v, stops, colors);
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
    polygon_path(cr, L, mp);
    cairo_stroke(cr);
  }
}

void draw_hotspots(cairo_t* cr, const QuickLookLayout& L, const std::vector<MultiPolygon>& layer) {
  const double u = L.unit;
  cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  for (const MultiPolygon& mp : layer) {
    polygon_path(cr, L, mp);
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

// The largest few polygons that have a name and room for it.
void draw_labels(cairo_t* cr, const QuickLookLayout& L, const std::vector<MultiPolygon>& layer,
                 const std::vector<std::string>& names, Face face, RGB color) {
  if (names.size() != layer.size()) return;
  std::vector<double> area(layer.size(), 0);
  for (std::size_t i = 0; i < layer.size(); ++i)
    for (const Polygon& p : layer[i]) area[i] += polygon_area(p);
  std::vector<std::size_t> order(layer.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return area[a] > area[b]; });
  const double size = 15 * L.unit;
  std::size_t drawn = 0;
  for (std::size_t i : order) {
    if (drawn == kMaxLabels) break;
    if (names[i].empty()) continue;
    std::optional<LabelSpot> spot = label_spot(layer[i]);
    if (!spot || text_width(cr, names[i], size, face) > spot->width_m * L.px_per_m) continue;
    XY p = L.to_px(spot->at);
    draw_text(cr, names[i], p.x, p.y + size * 0.35, size, face, color, Align::kCentre, true);
    ++drawn;
  }
}

void scale_bar(cairo_t* cr, const QuickLookLayout& L) {
  const double u = L.unit;
  const double length_m = scale_bar_length_m(0.25 * L.map_w / L.px_per_m);
  const double bar = length_m * L.px_per_m, x = L.map_x + 16 * u, y = L.map_y + L.map_h - 22 * u;
  char label[32];
  if (length_m >= 1000)
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

// `range` and `stops` are empty without a density surface.
void draw_legend(cairo_t* cr, const QuickLookLayout& L, const QuickLookInput& in,
                 const std::optional<Range>& range, const std::vector<double>& stops) {
  if (!range && legend_swatches(in) == 0) return;
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

  if (range) {
    draw_text(cr, "Density", x, y + 16 * u, 16 * u, Face::kBold, kInk);
    const double bar_y = y + 26 * u, bar_h = 18 * u;
    // Stops sit evenly along the bar (they are quantiles), so only the ends carry values: below
    // the first stop and above the last the colour holds, so the ends are the extreme cells.
    cairo_pattern_t* ramp = cairo_pattern_create_linear(x, 0, x + w, 0);
    const std::vector<RGB> colors = density_stop_colors(stops.size());
    for (std::size_t i = 0; i < colors.size(); ++i)
      cairo_pattern_add_color_stop_rgba(
          ramp, static_cast<double>(i) / static_cast<double>(colors.size() - 1),
          colors[i].r / 255.0, colors[i].g / 255.0, colors[i].b / 255.0, kDensityAlpha);
    cairo_rectangle(cr, x, bar_y, w, bar_h);
    cairo_set_source(cr, ramp);
    cairo_fill_preserve(cr);
    cairo_pattern_destroy(ramp);
    cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
    cairo_set_line_width(cr, 1);
    cairo_stroke(cr);
    draw_text(cr, format_value(range->min), x, bar_y + bar_h + 18 * u, 14 * u, Face::kRegular,
              kInk);
    draw_text(cr, format_value(range->max), x + w, bar_y + bar_h + 18 * u, 14 * u, Face::kRegular,
              kInk, Align::kRight);
    draw_text(cr, in.density_unit, x, bar_y + bar_h + 40 * u,
              fitted_size(cr, in.density_unit, 14 * u, Face::kRegular, w), Face::kRegular, kMuted);
    y += kLegendDensity * u;
  }

  const double sw = 36 * u, sh = 20 * u;
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
    swatch_label("Hotspot zone");
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

  const std::optional<Range> range = positive_range(in.density);
  const std::vector<double> stops =
      range ? density_stops(in.density->values, in.density->nodata) : std::vector<double>{};

  cairo_save(cr);
  cairo_rectangle(cr, L.map_x, L.map_y, L.map_w, L.map_h);
  cairo_clip(cr);
  if (range) draw_density(cr, L, *in.density, stops);
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
  draw_labels(cr, L, in.communes, in.commune_names, Face::kRegular, kInk);
  draw_labels(cr, L, in.zones, in.zone_names, Face::kOblique, kZonePurple);
  scale_bar(cr, L);
  north_arrow(cr, L);
  cairo_restore(cr);

  cairo_rectangle(cr, L.map_x + 0.5, L.map_y + 0.5, L.map_w - 1, L.map_h - 1);
  set_color(cr, kMuted);
  cairo_set_line_width(cr, 1);
  cairo_stroke(cr);
  draw_legend(cr, L, in, range, stops);
  draw_text(cr, in.crs_label, L.map_x, L.map_y + L.map_h + 24 * u, 13 * u, Face::kRegular, kMuted);
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
  L.legend_h = std::round(u * (2 * kLegendPad + kLegendHeading +
                               (positive_range(in.density) ? kLegendDensity : 0) +
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
  const QuickLookLayout L = quicklook_layout(in);

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
