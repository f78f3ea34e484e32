// The pages of hotspot brief, drawn with cairo on an A4 PDF surface (points, y down).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "render/draw.hpp"
#include "top/brief.hpp"
#include "util/text.hpp"

namespace hotspot {

namespace {

using namespace render;

constexpr double kPageW = 595.28, kPageH = 841.89, kMargin = 40;
constexpr RGB kInk{30, 30, 30}, kMuted{100, 100, 100}, kCommune{130, 130, 130}, kZone{118, 42, 131},
    kHot{215, 0, 0}, kPoint{40, 40, 160}, kBar{200, 60, 40};

struct Words {
  const char *briefing, *page, *rank, *id, *where, *incidents, *pai, *trend, *peak, *communes, *zones,
      *centre, *area, *status, *by_hour, *by_weekday, *categories, *none, *share_of_window,
      *planar_km2;  // the unit of area_km2 on planar data (no CRS)
  std::array<const char*, 7> days;
};
const Words kVi{"Bản tin tuần tra điểm nóng", "Trang", "Hạng", "Mã", "Xã / khu công nghiệp", "Số vụ", "PAI",
                "Xu hướng", "Giờ cao điểm", "Xã, phường", "Khu công nghiệp", "Tâm (vĩ độ, kinh độ)", "Diện tích",
                "Trạng thái", "Vụ việc theo giờ", "Vụ việc theo ngày trong tuần", "Loại vụ việc nhiều nhất",
                "không có", "của khung giờ", "(1000 đơn vị dữ liệu)²",
                {"T2", "T3", "T4", "T5", "T6", "T7", "CN"}};
const Words kEn{"Hotspot patrol briefing", "Page", "Rank", "Id", "Communes / zone", "Incidents", "PAI", "Trend",
                "Peak hours", "Communes", "Industrial zones", "Centre (lat, lon)", "Area", "Status",
                "Incidents by hour", "Incidents by weekday", "Top categories", "none", "of the window",
                km2_unit(/*planar=*/true), {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}};

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// "–" when the zone has no emerging trend (it overlaps no cell of the emerging analysis).
std::string trend_words(const std::string& t, bool vi) {
  if (t.empty()) return "–";
  if (!vi) return t;
  static const std::pair<const char*, const char*> kNames[] = {
      {"New Hot Spot", "Điểm nóng mới"},           {"Consecutive Hot Spot", "Điểm nóng liên tiếp"},
      {"Intensifying Hot Spot", "Điểm nóng gia tăng"}, {"Persistent Hot Spot", "Điểm nóng dai dẳng"},
      {"Diminishing Hot Spot", "Điểm nóng suy giảm"},  {"Sporadic Hot Spot", "Điểm nóng rải rác"},
      {"Oscillating Hot Spot", "Điểm nóng dao động"},  {"Historical Hot Spot", "Điểm nóng lịch sử"},
      {"No Pattern Detected", "Không có xu hướng"}};
  for (const auto& [en, v] : kNames)
    if (t == en) return v;
  return t;
}

std::string status_words(const BriefHotspot& h, bool vi) {
  if (h.status.empty()) return "";
  const std::string days = std::to_string(h.days_active);
  if (h.status == "new") return vi ? "mới" : "new";
  if (h.status == "persisting") return vi ? "duy trì " + days + " ngày" : "persisting " + days + " days";
  if (h.status == "grown") return vi ? "mở rộng (" + days + " ngày)" : "grown (" + days + " days)";
  if (h.status == "shrunk") return vi ? "thu hẹp (" + days + " ngày)" : "shrunk (" + days + " days)";
  return h.status;
}

// A frame showing `world` (grown to the frame's aspect ratio) inside the rectangle.
MapFrame frame_for(Box world, double x, double y, double w, double h) {
  const double dx = std::max(world.xmax - world.xmin, 1.0), dy = std::max(world.ymax - world.ymin, 1.0);
  const double scale = std::min(w / dx, h / dy);
  const double cx = (world.xmin + world.xmax) / 2, cy = (world.ymin + world.ymax) / 2;
  const double hw = w / scale / 2, hh = h / scale / 2;
  return {x, y, w, h, {cx - hw, cy - hh, cx + hw, cy + hh}, scale};
}

void draw_map(cairo_t* cr, const MapFrame& f, const BriefData& d, const std::vector<const BriefHotspot*>& hot,
              const std::vector<std::string>& hot_labels, const std::vector<XY>& points, double label_size) {
  cairo_save(cr);
  cairo_rectangle(cr, f.x, f.y, f.w, f.h);
  cairo_clip(cr);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
  for (const BriefHotspot* h : hot) {
    polygon_path(cr, f, h->geom);
    set_color(cr, kHot, 0.18);
    cairo_fill_preserve(cr);
    set_color(cr, kHot);
    cairo_set_line_width(cr, 1.4);
    cairo_stroke(cr);
  }
  set_color(cr, kCommune, 0.8);
  cairo_set_line_width(cr, 0.4);
  for (const auto& line : d.roads) {
    for (std::size_t i = 0; i < line.size(); ++i) {
      const XY q = f.to_px(line[i]);
      i == 0 ? cairo_move_to(cr, q.x, q.y) : cairo_line_to(cr, q.x, q.y);
    }
    cairo_stroke(cr);
  }
  set_color(cr, kPoint, 0.7);
  for (const XY& p : points) {
    const XY q = f.to_px(p);
    cairo_arc(cr, q.x, q.y, 0.9, 0, 2 * M_PI);
    cairo_fill(cr);
  }
  set_color(cr, kCommune);
  cairo_set_line_width(cr, 0.5);
  for (const auto& g : d.in->communes.geom) {
    polygon_path(cr, f, g);
    cairo_stroke(cr);
  }
  const double dash[] = {3, 2};
  cairo_set_dash(cr, dash, 2, 0);
  set_color(cr, kZone);
  cairo_set_line_width(cr, 1);
  for (const auto& g : d.in->zones.geom) {
    polygon_path(cr, f, g);
    cairo_stroke(cr);
  }
  cairo_set_dash(cr, nullptr, 0, 0);
  std::vector<Rect> taken;
  for (std::size_t k = 0; k < hot.size(); ++k) {
    const auto spot = label_spot(hot[k]->geom);
    if (!spot) continue;
    const XY p = f.to_px(spot->at);
    const double w = text_width(cr, hot_labels[k], label_size, Face::kBold);
    taken.push_back({p.x - w / 2 - 1, p.y - label_size * 0.6, p.x + w / 2 + 1, p.y + label_size * 0.6});
    draw_text(cr, hot_labels[k], p.x, p.y + label_size * 0.35, label_size, Face::kBold, kHot, Align::kCentre, true);
  }
  int number = 1;
  place_labels(cr, f, d.in->communes.geom, d.in->communes.name, {7.5, 5, Face::kRegular, kInk}, taken, number, true);
  place_labels(cr, f, d.in->zones.geom, d.in->zones.name, {7, 5, Face::kOblique, kZone}, taken, number, true);
  cairo_restore(cr);
  cairo_rectangle(cr, f.x, f.y, f.w, f.h);
  set_color(cr, kMuted);
  cairo_set_line_width(cr, 0.6);
  cairo_stroke(cr);
}

void footer(cairo_t* cr, const BriefData& d, const Words& w, int page, int pages) {
  draw_text(cr, d.title + " · " + d.window_text, kMargin, kPageH - 22, 7, Face::kRegular, kMuted);
  draw_text(cr, std::string(w.page) + " " + std::to_string(page) + "/" + std::to_string(pages), kPageW - kMargin,
            kPageH - 22, 7, Face::kRegular, kMuted, Align::kRight);
}

void bar_chart(cairo_t* cr, double x, double y, double w, double h, const std::string& title,
               const std::vector<std::int64_t>& v, const std::vector<std::string>& labels, std::size_t label_every) {
  draw_text(cr, title, x, y, 10, Face::kBold, kInk);
  const double top = y + 10, bottom = y + h - 14, bw = w / static_cast<double>(v.size());
  const std::int64_t peak = std::max<std::int64_t>(1, *std::max_element(v.begin(), v.end()));
  for (std::size_t i = 0; i < v.size(); ++i) {
    const double bh = (bottom - top - 10) * static_cast<double>(v[i]) / static_cast<double>(peak);
    cairo_rectangle(cr, x + static_cast<double>(i) * bw + 1, bottom - bh, bw - 2, bh);
    set_color(cr, kBar);
    cairo_fill(cr);
    if (v[i] == peak) draw_text(cr, std::to_string(v[i]), x + (static_cast<double>(i) + 0.5) * bw, bottom - bh - 2, 6,
                                Face::kRegular, kInk, Align::kCentre);
    if (i % label_every == 0)
      draw_text(cr, labels[i], x + (static_cast<double>(i) + 0.5) * bw, bottom + 9, 6.5, Face::kRegular, kMuted,
                Align::kCentre);
  }
  cairo_move_to(cr, x, bottom);
  cairo_line_to(cr, x + w, bottom);
  set_color(cr, kMuted);
  cairo_set_line_width(cr, 0.5);
  cairo_stroke(cr);
}

void overview_page(cairo_t* cr, const BriefData& d, const Words& w, int pages) {
  draw_text(cr, w.briefing, kMargin, 52, 18, Face::kBold, kInk);
  draw_text(cr, d.title, kMargin, 70, fitted_size(cr, d.title, 10, Face::kRegular, kPageW - 2 * kMargin),
            Face::kRegular, kMuted);
  draw_text(cr, d.window_text, kMargin, 84, fitted_size(cr, d.window_text, 10, Face::kRegular, kPageW - 2 * kMargin),
            Face::kRegular, kInk);
  Box world;
  for (const auto& g : d.in->communes.geom) world.expand(bounds(g));
  for (const auto& h : d.hotspots) world.expand(bounds(h.geom));
  const MapFrame f = frame_for(world, kMargin, 96, kPageW - 2 * kMargin, 400);
  std::vector<const BriefHotspot*> hot;
  std::vector<std::string> labels;
  for (const auto& h : d.hotspots) {
    hot.push_back(&h);
    labels.push_back(std::to_string(h.top.rank) + " " + h.top.id);
  }
  draw_map(cr, f, d, hot, labels, {}, 10);

  const double cols[] = {kMargin, kMargin + 30, kMargin + 70, kMargin + 265, kMargin + 310, kMargin + 350,
                         kMargin + 450};
  const char* heads[] = {w.rank, w.id, w.where, w.incidents, w.pai, w.trend, w.peak};
  double y = 520;
  for (int c = 0; c < 7; ++c) draw_text(cr, heads[c], cols[c], y, 8.5, Face::kBold, kInk);
  cairo_move_to(cr, kMargin, y + 4);
  cairo_line_to(cr, kPageW - kMargin, y + 4);
  set_color(cr, kMuted);
  cairo_set_line_width(cr, 0.5);
  cairo_stroke(cr);
  for (const auto& h : d.hotspots) {
    y += 16;
    std::string where = join(h.top.communes);
    if (!h.top.industrial_zones.empty()) where += " / " + join(h.top.industrial_zones);
    const std::string cells[] = {std::to_string(h.top.rank),
                                 h.top.id,
                                 where,
                                 std::to_string(h.top.incidents),
                                 std::isfinite(h.top.pai) ? fmt("%.1f", h.top.pai) : "–",
                                 trend_words(h.trend, d.vi),
                                 h.top.peak_hours};
    for (int c = 0; c < 7; ++c) {
      const double room = (c < 6 ? cols[c + 1] : kPageW - kMargin) - cols[c] - 4;
      draw_text(cr, cells[c], cols[c], y, fitted_size(cr, cells[c], 8.5, Face::kRegular, room),
                c == 1 ? Face::kBold : Face::kRegular, c == 1 ? kHot : kInk);
    }
  }
  footer(cr, d, w, 1, pages);
}

void hotspot_page(cairo_t* cr, const BriefData& d, const Words& w, const BriefHotspot& h, int page, int pages) {
  const std::string head = std::to_string(h.top.rank) + ". " + h.top.id + " — " + join(h.top.communes);
  draw_text(cr, head, kMargin, 52, fitted_size(cr, head, 16, Face::kBold, kPageW - 2 * kMargin), Face::kBold, kInk);
  draw_text(cr, d.window_text, kMargin, 68, 9, Face::kRegular, kMuted);
  Box world = bounds(h.geom);
  const double pad = std::max({world.xmax - world.xmin, world.ymax - world.ymin, 400.0}) * 0.6;
  world = {world.xmin - pad, world.ymin - pad, world.xmax + pad, world.ymax + pad};
  const MapFrame f = frame_for(world, kMargin, 80, kPageW - 2 * kMargin, 330);
  draw_map(cr, f, d, {&h}, {h.top.id}, d.window_points, 12);

  double y = 432;
  auto fact = [&](const char* key, const std::string& value) {
    draw_text(cr, key, kMargin, y, 9, Face::kBold, kInk);
    draw_text(cr, value, kMargin + 130, y, fitted_size(cr, value, 9, Face::kRegular, kPageW - 2 * kMargin - 130),
              Face::kRegular, kInk);
    y += 14;
  };
  fact(w.incidents, std::to_string(h.top.incidents) + " (" + fmt("%.0f", 100 * h.top.share) + " % " +
                        w.share_of_window + ")");
  fact(w.communes, h.top.communes.empty() ? w.none : join(h.top.communes));
  fact(w.zones, h.top.industrial_zones.empty() ? w.none : join(h.top.industrial_zones));
  fact(w.centre, std::isfinite(h.top.lat) ? fmt("%.5f", h.top.lat) + ", " + fmt("%.5f", h.top.lon) : "–");
  fact(w.area, fmt("%.2f ", h.top.area_km2) + (d.in->crs.planar() ? w.planar_km2 : "km²"));
  fact(w.pai, std::isfinite(h.top.pai) ? fmt("%.1f", h.top.pai) : "–");
  fact(w.peak, h.top.peak_hours.empty() ? "–" : h.top.peak_hours);
  fact(w.trend, trend_words(h.trend, d.vi));
  fact(w.status, h.status.empty() ? "–" : status_words(h, d.vi));

  std::vector<std::int64_t> hours(h.by_hour.begin(), h.by_hour.end()), days(h.by_weekday.begin(), h.by_weekday.end());
  std::vector<std::string> hour_labels, day_labels(w.days.begin(), w.days.end());
  for (int k = 0; k < 24; ++k) hour_labels.push_back(std::to_string(k));
  bar_chart(cr, kMargin, 580, 300, 120, w.by_hour, hours, hour_labels, 3);
  bar_chart(cr, kMargin + 330, 580, 185, 120, w.by_weekday, days, day_labels, 1);

  y = 730;
  draw_text(cr, w.categories, kMargin, y, 10, Face::kBold, kInk);
  for (const auto& c : h.top.categories) {
    y += 14;
    draw_text(cr, c.category + ": " + std::to_string(c.incidents) + " (" + fmt("%.0f", 100 * c.share) + " %)",
              kMargin + 10, y, 9, Face::kRegular, kInk);
  }
  footer(cr, d, w, page, pages);
}

}  // namespace

void draw_brief_pages(cairo_t* cr, const BriefData& d) {
  const Words& w = d.vi ? kVi : kEn;
  const int pages = 1 + static_cast<int>(d.hotspots.size());
  overview_page(cr, d, w, pages);
  cairo_show_page(cr);
  for (std::size_t k = 0; k < d.hotspots.size(); ++k) {
    hotspot_page(cr, d, w, d.hotspots[k], static_cast<int>(k) + 2, pages);
    cairo_show_page(cr);
  }
}

}  // namespace hotspot
