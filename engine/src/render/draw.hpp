#pragma once
// Cairo drawing shared by the quick-look PNG and the briefing PDF: text in DejaVu Sans with a
// halo, polygon paths, label points, and labels placed without collisions.
#include <cairo.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hotspot/geometry.hpp"
#include "io/styles.hpp"

namespace hotspot::render {

// Every label's font: DejaVu Sans has the Vietnamese letters (fonts-dejavu-core). Cairo's toy
// text API uses one font per face, with no per-glyph fallback, so this choice decides it.
inline constexpr const char* kFont = "DejaVu Sans";

struct SurfaceDeleter {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct ContextDeleter {
  void operator()(cairo_t* c) const { cairo_destroy(c); }
};
using SurfacePtr = std::unique_ptr<cairo_surface_t, SurfaceDeleter>;
using ContextPtr = std::unique_ptr<cairo_t, ContextDeleter>;

enum class Face { kRegular, kBold, kOblique };
enum class Align { kLeft, kCentre, kRight };

void set_color(cairo_t* cr, RGB c, double alpha = 1);
void set_font(cairo_t* cr, double size, Face face);
// Invalid UTF-8 is replaced first: it would put the context into an error state and silently
// stop all drawing.
double text_width(cairo_t* cr, const std::string& s, double size, Face face);
// `y` is the baseline. A halo (a white outline under the glyphs) keeps labels readable on a map.
void draw_text(cairo_t* cr, const std::string& s, double x, double y, double size, Face face, RGB color,
               Align align = Align::kLeft, bool halo = false);
// The largest size (from `size` down) at which `s` fits in `max_w`.
double fitted_size(cairo_t* cr, const std::string& s, double size, Face face, double max_w);
// `s` when it fits in `max_w`; else its longest prefix (cut between characters) that fits with "…".
std::string truncated(cairo_t* cr, const std::string& s, double size, Face face, double max_w);

// Text broken into lines for a box of width `max_w` and at most `max_lines` lines. Pieces (a
// commune's name with its comma, or a word) stay whole on a line and are joined by spaces; a piece
// wider than the box is broken at its spaces. Wrapping comes first, at `size`; only when that
// needs more than `max_lines` lines does the size step down, to `min_size` and no further (small
// type on paper is unreadable); only then is the end cut, after the last whole piece that fits,
// with "…". The box grows by the lines: a long list of names is shown whole where space allows.
struct TextBlock {
  double size = 0;
  std::vector<std::string> lines;
  bool cut = false;                           // something was left out
  double step() const { return size * 1.2; }  // baseline to baseline
};
TextBlock fit_lines(cairo_t* cr, const std::vector<std::string>& pieces, double size,
                    double min_size, Face face, double max_w, std::size_t max_lines);
// The pieces of free text: its words.
std::vector<std::string> words(const std::string& s);
// The pieces of a list of names: each name whole, followed by "," but the last.
std::vector<std::string> list_pieces(const std::vector<std::string>& names);

double polygon_area(const Polygon& p);
double multipolygon_area(const MultiPolygon& mp);

struct LabelSpot {
  XY at;
  double width_m = 0;  // room along the horizontal line through `at`
};
// A label point inside the largest part: the middle of the widest inside span of a few
// horizontal lines across it (a bounding-box centre can fall outside a concave commune).
std::optional<LabelSpot> label_spot(const MultiPolygon& mp);

// World (y up) to page (y down) for a map frame.
struct MapFrame {
  double x = 0, y = 0, w = 0, h = 0;  // the frame on the page
  Box world;                          // what it shows
  double px_per_m = 1;
  XY to_px(XY p) const { return {x + (p.x - world.xmin) * px_per_m, y + (world.ymax - p.y) * px_per_m}; }
};
void polygon_path(cairo_t* cr, const MapFrame& f, const MultiPolygon& mp);

// Labels placed without overlapping each other or anything in `taken`. A polygon's name is
// drawn at its label spot, shrunk from `size` down to `min_size` to fit the polygon, then moved
// up or down by a line if it collides; a name that still does not fit gets a number instead
// (drawn small at the spot) and a line in the key. Largest polygons first.
struct LabelStyle {
  double size = 15, min_size = 9;
  Face face = Face::kRegular;
  RGB color{30, 30, 30};
};
struct Rect {
  double x0, y0, x1, y1;
  bool overlaps(const Rect& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
};
struct KeyEntry {
  int number;
  std::string name;
};
// `draw` false only measures (the key's size decides the page's). `next_number` numbers the
// keyed names across layers.
std::vector<KeyEntry> place_labels(cairo_t* cr, const MapFrame& f, const std::vector<MultiPolygon>& layer,
                                   const std::vector<std::string>& names, const LabelStyle& style,
                                   std::vector<Rect>& taken, int& next_number, bool draw);

}  // namespace hotspot::render
