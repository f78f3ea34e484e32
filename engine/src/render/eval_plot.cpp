// hotspot evaluate's plot: hit rate against coverage, one line per method (the mean over the
// folds) inside its band (min .. max over the folds), drawn with cairo like the quick-look map.
#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "hotspot/error.hpp"
#include "hotspot/evaluate.hpp"
#include "util/temp_file.hpp"

namespace hotspot {

namespace fs = std::filesystem;

namespace {

struct SurfaceDeleter {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct ContextDeleter {
  void operator()(cairo_t* c) const { cairo_destroy(c); }
};

// Colour-blind safe (Okabe-Ito).
constexpr double kColours[][3] = {{0.000, 0.447, 0.698}, {0.835, 0.369, 0.000}, {0.000, 0.620, 0.451},
                                  {0.800, 0.475, 0.655}, {0.902, 0.624, 0.000}, {0.337, 0.706, 0.914},
                                  {0.941, 0.894, 0.259}, {0.000, 0.000, 0.000}};

void text(cairo_t* cr, const std::string& s, double x, double y, double size, bool bold = false,
          double align = 0) {
  cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
  cairo_text_extents_t e;
  cairo_text_extents(cr, s.c_str(), &e);
  cairo_move_to(cr, x - align * e.x_advance, y);
  cairo_show_text(cr, s.c_str());
}

std::string fmt(const char* f, double v) {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

}  // namespace

void plot_evaluation(const EvaluateResult& r, const std::string& path) {
  const int W = 1000, H = 680;
  const double L = 80, R = 220, T = 60, B = 110;  // margins
  const double pw = W - L - R, ph = H - T - B;
  const auto& cov = r.options.coverage_pct;
  const double xmax = cov.empty() ? 1 : cov.back();
  double ymax = 0;
  for (const auto& s : r.summary) ymax = std::max(ymax, std::isnan(s.hit_rate.max) ? 0 : s.hit_rate.max);
  ymax = std::min(1.0, std::ceil(ymax * 10 + 1e-9) / 10);
  if (ymax <= 0) ymax = 0.1;
  // Square-root scale: the small coverages a patrol can work (0.5 to 5 %) get room of their own
  // instead of a few pixels beside the origin.
  auto X = [&](double c) { return L + pw * std::sqrt(c / xmax); };
  auto Y = [&](double h) { return T + ph * (1 - h / ymax); };

  std::unique_ptr<cairo_surface_t, SurfaceDeleter> surface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, W, H));
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) throw IoError("evaluate plot: cannot allocate the image");
  {
    std::unique_ptr<cairo_t, ContextDeleter> holder(cairo_create(surface.get()));
    cairo_t* cr = holder.get();
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    // Grid lines and axes.
    cairo_set_line_width(cr, 1);
    const int ticks = static_cast<int>(std::lround(ymax * 10));  // every 10 points
    for (int k = 0; k <= ticks; ++k) {
      const double h = k / 10.0;
      cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
      cairo_move_to(cr, L, Y(h));
      cairo_line_to(cr, L + pw, Y(h));
      cairo_stroke(cr);
      cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
      text(cr, fmt("%.0f%%", 100 * h), L - 8, Y(h) + 4, 12, false, 1);
    }
    text(cr, "0", X(0), T + ph + 18, 12, false, 0.5);
    for (double c : cov) {
      cairo_set_source_rgb(cr, 0.92, 0.92, 0.92);
      cairo_move_to(cr, X(c), T);
      cairo_line_to(cr, X(c), T + ph);
      cairo_stroke(cr);
      cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
      text(cr, fmt("%g", c), X(c), T + ph + 18, 12, false, 0.5);
    }
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    cairo_rectangle(cr, L, T, pw, ph);
    cairo_stroke(cr);
    text(cr, "area flagged (% of the study area, square-root scale)", L + pw / 2, T + ph + 42, 14,
         false, 0.5);
    cairo_save(cr);
    cairo_translate(cr, 28, T + ph / 2);  // rotate about the label's own centre
    cairo_rotate(cr, -M_PI / 2);
    text(cr, "hit rate (test incidents caught)", 0, 0, 14, false, 0.5);
    cairo_restore(cr);
    text(cr, "Which map predicts the next " + std::to_string(r.options.test_days) + " days? " +
                 std::to_string(r.folds.size()) + " folds up to " + r.last_date,
         L, 36, 17, true);
    // One band and line per method.
    for (std::size_t m = 0; m < r.options.methods.size(); ++m) {
      const double* col = kColours[m % 8];
      std::vector<const EvalSummary*> pts;
      for (const auto& s : r.summary)
        if (s.method == r.options.methods[m].name) pts.push_back(&s);
      cairo_set_source_rgba(cr, col[0], col[1], col[2], 0.18);
      cairo_move_to(cr, X(0), Y(0));
      for (const auto* s : pts) cairo_line_to(cr, X(s->coverage_pct), Y(s->hit_rate.max));
      for (auto it = pts.rbegin(); it != pts.rend(); ++it) cairo_line_to(cr, X((*it)->coverage_pct), Y((*it)->hit_rate.min));
      cairo_close_path(cr);
      cairo_fill(cr);
      cairo_set_source_rgb(cr, col[0], col[1], col[2]);
      cairo_set_line_width(cr, 2.5);
      cairo_move_to(cr, X(0), Y(0));
      for (const auto* s : pts) cairo_line_to(cr, X(s->coverage_pct), Y(s->hit_rate.mean));
      cairo_stroke(cr);
      for (const auto* s : pts) {
        cairo_arc(cr, X(s->coverage_pct), Y(s->hit_rate.mean), 3.5, 0, 2 * M_PI);
        cairo_fill(cr);
      }
      // Legend.
      const double ly = T + 20 + 26.0 * static_cast<double>(m);
      cairo_rectangle(cr, L + pw + 20, ly - 10, 22, 12);
      cairo_fill(cr);
      cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
      text(cr, r.options.methods[m].name, L + pw + 50, ly, 14);
    }
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    const double note_y = T + 40 + 26.0 * static_cast<double>(r.options.methods.size());
    text(cr, "line: mean over the folds", L + pw + 20, note_y, 11);
    text(cr, "band: worst to best fold", L + pw + 20, note_y + 15, 11);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    // The recommendation, on up to two lines.
    std::string rec = r.recommendation;
    std::string second;
    if (rec.size() > 110) {
      const auto cut = rec.rfind(' ', 110);
      if (cut != std::string::npos) second = rec.substr(cut + 1), rec = rec.substr(0, cut);
    }
    text(cr, rec, L, H - 30, 13);
    if (!second.empty()) text(cr, second, L, H - 12, 13);
    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS)
      throw InternalError(std::string("evaluate plot: drawing failed: ") + cairo_status_to_string(cairo_status(cr)));
  }
  cairo_surface_flush(surface.get());
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw IoError("--plot: directory '" + dir.string() + "' does not exist");
  const std::string temp = temp_path_for(path);
  if (cairo_surface_write_to_png(surface.get(), temp.c_str()) != CAIRO_STATUS_SUCCESS) {
    fs::remove(temp, ec);
    release_temp_path(temp);
    throw IoError("--plot: cannot write '" + temp + "'");
  }
  fs::rename(temp, target, ec);
  release_temp_path(temp);
  if (ec) {
    fs::remove(temp, ec);
    throw IoError("--plot: cannot move the plot into place at '" + path + "'");
  }
}

}  // namespace hotspot
