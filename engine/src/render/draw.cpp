#include "render/draw.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "io/incidents.hpp"
#include "util/text.hpp"

namespace hotspot::render {

void set_color(cairo_t* cr, RGB c, double alpha) {
  cairo_set_source_rgba(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0, alpha);
}

void set_font(cairo_t* cr, double size, Face face) {
  cairo_select_font_face(cr, kFont, face == Face::kOblique ? CAIRO_FONT_SLANT_OBLIQUE : CAIRO_FONT_SLANT_NORMAL,
                         face == Face::kBold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
}

double text_width(cairo_t* cr, const std::string& s, double size, Face face) {
  set_font(cr, size, face);
  cairo_text_extents_t e;
  cairo_text_extents(cr, sanitize_utf8(s).c_str(), &e);
  return e.x_advance;
}

void draw_text(cairo_t* cr, const std::string& s, double x, double y, double size, Face face, RGB color,
               Align align, bool halo) {
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

double fitted_size(cairo_t* cr, const std::string& s, double size, Face face, double max_w) {
  const double w = text_width(cr, s, size, face);
  return w > max_w ? size * max_w / w : size;
}

std::string truncated(cairo_t* cr, const std::string& s, double size, Face face, double max_w) {
  if (text_width(cr, s, size, face) <= max_w) return s;
  // truncate_to_width cuts between code points, after the combining marks of the last one kept.
  for (std::size_t columns = display_width(s); columns > 1; --columns) {
    std::string t = truncate_to_width(s, columns - 1);
    if (text_width(cr, t, size, face) <= max_w) return t;
  }
  return "\xE2\x80\xA6";
}

std::vector<std::string> words(const std::string& s) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t end = std::min(s.find(' ', i), s.size());
    if (end > i) out.push_back(s.substr(i, end - i));
    i = end + 1;
  }
  return out;
}

std::vector<std::string> list_pieces(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (std::size_t k = 0; k < names.size(); ++k)
    out.push_back(names[k] + (k + 1 < names.size() ? "," : ""));
  return out;
}

namespace {

std::string joined(const std::vector<std::string>& pieces) {
  std::string out;
  for (const auto& p : pieces) out += (out.empty() ? "" : " ") + p;
  return out;
}

// Greedy lines of whole pieces; a piece wider than the box goes in as its words, and a word wider
// than the box alone on its line.
std::vector<std::vector<std::string>> wrap_pieces(cairo_t* cr,
                                                  const std::vector<std::string>& pieces,
                                                  double size, Face face, double max_w) {
  std::vector<std::string> fine;
  for (const auto& p : pieces) {
    if (text_width(cr, p, size, face) <= max_w) {
      fine.push_back(p);
    } else {
      for (auto& w : words(p)) fine.push_back(std::move(w));
    }
  }
  std::vector<std::vector<std::string>> lines;
  std::string line;
  for (const auto& p : fine) {
    if (!lines.empty() && !line.empty() && text_width(cr, line + " " + p, size, face) <= max_w) {
      lines.back().push_back(p);
      line += " " + p;
    } else {
      lines.push_back({p});
      line = p;
    }
  }
  return lines;
}

}  // namespace

TextBlock fit_lines(cairo_t* cr, const std::vector<std::string>& pieces, double size,
                    double min_size, Face face, double max_w, std::size_t max_lines) {
  max_lines = std::max<std::size_t>(max_lines, 1);
  min_size = std::min(min_size, size);
  TextBlock b;
  std::vector<std::vector<std::string>> lines;
  for (b.size = size;; b.size = std::max(min_size, b.size - 0.5)) {
    lines = wrap_pieces(cr, pieces, b.size, face, max_w);
    bool fits = lines.size() <= max_lines;
    for (const auto& l : lines) fits = fits && text_width(cr, joined(l), b.size, face) <= max_w;
    if (fits || b.size <= min_size) break;
  }
  if (lines.size() > max_lines) {
    lines.resize(max_lines);
    b.cut = true;
    std::vector<std::string>& last = lines.back();
    const std::string whole = joined(last);
    while (!last.empty() && text_width(cr, joined(last) + " \xE2\x80\xA6", b.size, face) > max_w)
      last.pop_back();
    if (last.empty()) {
      last = {truncated(cr, whole, b.size, face, max_w)};
    } else {
      last.push_back("\xE2\x80\xA6");
    }
  }
  for (const auto& l : lines) {
    std::string text = joined(l);
    if (text_width(cr, text, b.size, face) > max_w) b.cut = true;
    b.lines.push_back(truncated(cr, text, b.size, face, max_w));
  }
  return b;
}

namespace {

double ring_area(const Ring& r) {
  double a = 0;
  for (std::size_t i = 1; i < r.size(); ++i) a += r[i - 1].x * r[i].y - r[i].x * r[i - 1].y;
  return std::abs(a) / 2;
}

}  // namespace

double polygon_area(const Polygon& p) {
  double a = ring_area(p.shell);
  for (const Ring& h : p.holes) a -= ring_area(h);
  return a;
}

double multipolygon_area(const MultiPolygon& mp) {
  double a = 0;
  for (const Polygon& p : mp) a += polygon_area(p);
  return a;
}

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
          xs.push_back(r[i - 1].x + (y - r[i - 1].y) * (r[i].x - r[i - 1].x) / (r[i].y - r[i - 1].y));
    };
    cross(part->shell);
    for (const Ring& h : part->holes) cross(h);
    std::sort(xs.begin(), xs.end());
    for (std::size_t i = 0; i + 1 < xs.size(); i += 2)
      if (!best || xs[i + 1] - xs[i] > best->width_m) best = LabelSpot{{(xs[i] + xs[i + 1]) / 2, y}, xs[i + 1] - xs[i]};
  }
  return best;
}

void polygon_path(cairo_t* cr, const MapFrame& f, const MultiPolygon& mp) {
  auto ring = [&](const Ring& r) {
    for (std::size_t i = 0; i < r.size(); ++i) {
      XY p = f.to_px(r[i]);
      i == 0 ? cairo_move_to(cr, p.x, p.y) : cairo_line_to(cr, p.x, p.y);
    }
    cairo_close_path(cr);
  };
  for (const Polygon& p : mp) {
    ring(p.shell);
    for (const Ring& h : p.holes) ring(h);
  }
}

std::vector<KeyEntry> place_labels(cairo_t* cr, const MapFrame& f, const std::vector<MultiPolygon>& layer,
                                   const std::vector<std::string>& names, const LabelStyle& st,
                                   std::vector<Rect>& taken, int& next_number, bool draw) {
  std::vector<KeyEntry> key;
  if (names.size() != layer.size()) return key;
  std::vector<double> area(layer.size());
  for (std::size_t i = 0; i < layer.size(); ++i) area[i] = multipolygon_area(layer[i]);
  std::vector<std::size_t> order(layer.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return area[a] > area[b]; });
  const Rect frame{f.x, f.y, f.x + f.w, f.y + f.h};
  auto free_at = [&](const Rect& r) {
    if (r.x0 < frame.x0 || r.x1 > frame.x1 || r.y0 < frame.y0 || r.y1 > frame.y1) return false;
    return std::none_of(taken.begin(), taken.end(), [&](const Rect& t) { return t.overlaps(r); });
  };
  for (std::size_t i : order) {
    if (names[i].empty()) continue;
    const std::optional<LabelSpot> spot = label_spot(layer[i]);
    if (!spot) continue;
    const XY p = f.to_px(spot->at);
    const double room = spot->width_m * f.px_per_m;
    bool placed = false;
    for (double size = st.size; size >= st.min_size - 1e-9 && !placed; size *= 0.85) {
      const double w = text_width(cr, names[i], size, st.face);
      if (w > room) continue;
      for (double dy : {0.0, -1.1, 1.1}) {
        const double base = p.y + size * 0.35 + dy * size;
        const Rect r{p.x - w / 2 - 2, base - size * 0.95, p.x + w / 2 + 2, base + size * 0.3};
        if (!free_at(r)) continue;
        taken.push_back(r);
        if (draw) draw_text(cr, names[i], p.x, base, size, st.face, st.color, Align::kCentre, true);
        placed = true;
        break;
      }
    }
    if (placed) continue;
    // A number, drawn even where it overlaps: the key must be able to point at every polygon.
    const int n = next_number++;
    key.push_back({n, names[i]});
    const std::string label = std::to_string(n);
    const double size = st.min_size, w = text_width(cr, label, size, Face::kBold);
    taken.push_back({p.x - w / 2 - 1, p.y - size * 0.6, p.x + w / 2 + 1, p.y + size * 0.6});
    if (draw) draw_text(cr, label, p.x, p.y + size * 0.35, size, Face::kBold, st.color, Align::kCentre, true);
  }
  return key;
}

}  // namespace hotspot::render
