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
// The footer's baseline, and the lowest any page's body may reach: its 7 pt line stays clear.
constexpr double kFooterY = kPageH - 22, kBodyBottom = kPageH - 34;
// The smallest type of a table cell or a fact: long names wrap, then shrink to this, then are cut.
constexpr double kMinText = 7;
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
  const std::string number =
      std::string(w.page) + " " + std::to_string(page) + "/" + std::to_string(pages);
  draw_text(cr, number, kPageW - kMargin, kFooterY, 7, Face::kRegular, kMuted, Align::kRight);
  // A long title gives way, cut with "…", so that it never runs into the page number.
  const double room = kPageW - 2 * kMargin - text_width(cr, number, 7, Face::kRegular) - 12;
  const std::string tail = " · " + d.window_text;
  const double title_room = room - text_width(cr, tail, 7, Face::kRegular);
  const std::string left = title_room >= 60
                               ? truncated(cr, d.title, 7, Face::kRegular, title_room) + tail
                               : truncated(cr, d.title + tail, 7, Face::kRegular, room);
  draw_text(cr, left, kMargin, kFooterY, 7, Face::kRegular, kMuted);
}

// The lines of a block, the first on baseline `y`; returns the last line's baseline.
double draw_lines(cairo_t* cr, const TextBlock& b, double x, double y, Face face, RGB color) {
  for (std::size_t k = 0; k < b.lines.size(); ++k)
    draw_text(cr, b.lines[k], x, y + static_cast<double>(k) * b.step(), b.size, face, color);
  return y + static_cast<double>(std::max<std::size_t>(b.lines.size(), 1) - 1) * b.step();
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

// The overview table: its columns' left edges (and the right margin), the baseline of its header
// on page 1 (under the map) and on the pages that continue it, and a one-line row's height.
constexpr std::array<double, 8> kCols{kMargin,       kMargin + 30,    kMargin + 70,
                                      kMargin + 265, kMargin + 310,   kMargin + 350,
                                      kMargin + 450, kPageW - kMargin};
constexpr double kTableHead1 = 520, kTableHeadNext = 76, kRowH = 16;

struct Row {
  std::array<TextBlock, 7> cells;
  double height = kRowH;  // grows by the lines of its tallest cell
};

// Every hotspot's row, laid out before anything is drawn: the rows decide how many pages the
// table takes, and so every page's number.
std::vector<Row> table_rows(cairo_t* cr, const BriefData& d) {
  std::vector<Row> rows;
  for (const auto& h : d.hotspots) {
    std::vector<std::string> where = list_pieces(h.top.communes);
    std::vector<std::string> zones = list_pieces(h.top.industrial_zones);
    if (!zones.empty()) zones.front() = "/ " + zones.front();
    where.insert(where.end(), zones.begin(), zones.end());
    const std::vector<std::string> cells[] = {
        {std::to_string(h.top.rank)},
        {h.top.id},
        where,
        {std::to_string(h.top.incidents)},
        {std::isfinite(h.top.pai) ? fmt("%.1f", h.top.pai) : "–"},
        words(trend_words(h.trend, d.vi)),
        words(h.top.peak_hours)};
    Row row;
    for (std::size_t c = 0; c < 7; ++c) {
      // The communes and zones may take six lines: every name whole, where the names of a hotspot
      // on a commune line tell which neighbours patrol it together.
      row.cells[c] = fit_lines(cr, cells[c], 8.5, kMinText, c == 1 ? Face::kBold : Face::kRegular,
                               kCols[c + 1] - kCols[c] - 4, c == 2 ? 6 : 3);
      const std::size_t lines = std::max<std::size_t>(row.cells[c].lines.size(), 1);
      row.height =
          std::max(row.height, kRowH + static_cast<double>(lines - 1) * row.cells[c].step());
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// The first row of each overview page: as many rows as end above the footer, the header repeated
// on every page.
std::vector<std::size_t> table_pages(const std::vector<Row>& rows) {
  std::vector<std::size_t> first{0};
  double top = kTableHead1 + 4;
  for (std::size_t k = 0; k < rows.size(); ++k) {
    if (k > first.back() && top + rows[k].height > kBodyBottom) {
      first.push_back(k);
      top = kTableHeadNext + 4;
    }
    top += rows[k].height;
  }
  return first;
}

void draw_table(cairo_t* cr, const Words& w, const std::vector<Row>& rows, std::size_t begin,
                std::size_t end, double y) {
  const char* heads[] = {w.rank, w.id, w.where, w.incidents, w.pai, w.trend, w.peak};
  for (std::size_t c = 0; c < 7; ++c)  // one line each ("Incidents" ran into "PAI")
    draw_lines(
        cr,
        fit_lines(cr, words(heads[c]), 8.5, kMinText, Face::kBold, kCols[c + 1] - kCols[c] - 4, 1),
        kCols[c], y, Face::kBold, kInk);
  cairo_move_to(cr, kMargin, y + 4);
  cairo_line_to(cr, kPageW - kMargin, y + 4);
  set_color(cr, kMuted);
  cairo_set_line_width(cr, 0.5);
  cairo_stroke(cr);
  double top = y + 4;
  for (std::size_t k = begin; k < end; ++k) {
    for (std::size_t c = 0; c < 7; ++c)
      draw_lines(cr, rows[k].cells[c], kCols[c], top + 12, c == 1 ? Face::kBold : Face::kRegular,
                 c == 1 ? kHot : kInk);
    top += rows[k].height;
  }
}

void overview_map(cairo_t* cr, const BriefData& d, const Words& w) {
  draw_text(cr, w.briefing, kMargin, 52, 18, Face::kBold, kInk);
  const double text_w = kPageW - 2 * kMargin;
  double y = draw_lines(cr, fit_lines(cr, words(d.title), 10, kMinText, Face::kRegular, text_w, 2),
                        kMargin, 70, Face::kRegular, kMuted);
  y = draw_lines(cr, fit_lines(cr, words(d.window_text), 10, kMinText, Face::kRegular, text_w, 2),
                 kMargin, y + 14, Face::kRegular, kInk);
  Box world;
  for (const auto& g : d.in->communes.geom) world.expand(bounds(g));
  for (const auto& h : d.hotspots) world.expand(bounds(h.geom));
  // The map gives up the height the title's and window's extra lines take; the table stays put.
  const double map_top = y + 12;
  const MapFrame f = frame_for(world, kMargin, map_top, text_w, kTableHead1 - 24 - map_top);
  std::vector<const BriefHotspot*> hot;
  std::vector<std::string> labels;
  for (const auto& h : d.hotspots) {
    hot.push_back(&h);
    labels.push_back(std::to_string(h.top.rank) + " " + h.top.id);
  }
  draw_map(cr, f, d, hot, labels, {}, 10);
}

void hotspot_page(cairo_t* cr, const BriefData& d, const Words& w, const BriefHotspot& h, int page, int pages) {
  const double text_w = kPageW - 2 * kMargin;
  std::vector<std::string> head{std::to_string(h.top.rank) + ".", h.top.id};
  if (!h.top.communes.empty()) head.push_back("—");
  for (auto& piece : list_pieces(h.top.communes)) head.push_back(std::move(piece));
  double y = draw_lines(cr, fit_lines(cr, head, 16, 10, Face::kBold, text_w, 3), kMargin, 52,
                        Face::kBold, kInk);
  y = draw_lines(cr, fit_lines(cr, words(d.window_text), 9, kMinText, Face::kRegular, text_w, 2),
                 kMargin, y + 16, Face::kRegular, kMuted);
  const double map_top = y + 12;

  // The facts end where the charts begin; the map gives up the height their extra lines take.
  constexpr double kKeyW = 130, kFactH = 14, kFactsEnd = 558;
  std::vector<std::pair<const char*, TextBlock>> facts;
  auto fact = [&](const char* key, const std::string& value, std::vector<std::string> pieces = {},
                  std::size_t max_lines = 2) {
    if (pieces.empty()) pieces = words(value);
    facts.emplace_back(
        key, fit_lines(cr, pieces, 9, kMinText, Face::kRegular, text_w - kKeyW, max_lines));
  };
  fact(w.incidents, std::to_string(h.top.incidents) + " (" + fmt("%.0f", 100 * h.top.share) + " % " +
                        w.share_of_window + ")");
  fact(w.communes, w.none, list_pieces(h.top.communes), 5);
  fact(w.zones, w.none, list_pieces(h.top.industrial_zones), 3);
  fact(w.centre, std::isfinite(h.top.lat) ? fmt("%.5f", h.top.lat) + ", " + fmt("%.5f", h.top.lon) : "–");
  fact(w.area, fmt("%.2f ", h.top.area_km2) + (d.in->crs.planar() ? w.planar_km2 : "km²"));
  fact(w.pai, std::isfinite(h.top.pai) ? fmt("%.1f", h.top.pai) : "–");
  fact(w.peak, h.top.peak_hours.empty() ? "–" : h.top.peak_hours);
  fact(w.trend, trend_words(h.trend, d.vi));
  fact(w.status, h.status.empty() ? "–" : status_words(h, d.vi));
  auto fact_h = [&](const TextBlock& b) {
    return kFactH + static_cast<double>(std::max<std::size_t>(b.lines.size(), 1) - 1) * b.step();
  };
  double facts_h = 0;
  for (const auto& f : facts) facts_h += fact_h(f.second);
  y = kFactsEnd - facts_h;

  Box world = bounds(h.geom);
  const double pad = std::max({world.xmax - world.xmin, world.ymax - world.ymin, 400.0}) * 0.6;
  world = {world.xmin - pad, world.ymin - pad, world.xmax + pad, world.ymax + pad};
  const MapFrame f = frame_for(world, kMargin, map_top, text_w, std::max(120.0, y - 22 - map_top));
  draw_map(cr, f, d, {&h}, {h.top.id}, d.window_points, 12);

  for (const auto& [key, value] : facts) {
    draw_text(cr, key, kMargin, y, 9, Face::kBold, kInk);
    draw_lines(cr, value, kMargin + kKeyW, y, Face::kRegular, kInk);
    y += fact_h(value);
  }

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

// Runs of three days or more as a range, cyclically (fri-mon is "Fri–Mon"): "T2–T6", "T7, CN".
std::string day_list(const std::vector<std::string>& days, const Words& w) {
  static const char* const kKeys[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  std::array<bool, 7> on{};
  for (const auto& day : days)
    for (std::size_t k = 0; k < 7; ++k)
      if (day == kKeys[k]) on[k] = true;
  const auto count = static_cast<std::size_t>(std::count(on.begin(), on.end(), true));
  if (count == 7) return std::string(w.days[0]) + "–" + w.days[6];
  std::string out;
  for (std::size_t k = 0; k < 7; ++k) {
    if (!on[k] || on[(k + 6) % 7]) continue;  // not the first day of a run
    std::size_t n = 1;
    while (on[(k + n) % 7]) ++n;
    auto add = [&](const std::string& s) { out += (out.empty() ? "" : ", ") + s; };
    if (n >= 3) {
      add(std::string(w.days[k]) + "–" + w.days[(k + n - 1) % 7]);
    } else {
      for (std::size_t i = 0; i < n; ++i) add(w.days[(k + i) % 7]);
    }
  }
  return out;
}

}  // namespace

std::string window_days_text(const std::vector<std::string>& days, bool vi) {
  return day_list(days, vi ? kVi : kEn);
}

int draw_brief_pages(cairo_t* cr, const BriefData& d) {
  const Words& w = d.vi ? kVi : kEn;
  const std::vector<Row> rows = table_rows(cr, d);
  const std::vector<std::size_t> first = table_pages(rows);
  const int overview = static_cast<int>(first.size());
  const int pages = overview + static_cast<int>(d.hotspots.size());
  for (std::size_t p = 0; p < first.size(); ++p) {
    if (p == 0) {
      overview_map(cr, d, w);
    } else {
      const std::string continued = std::string(w.briefing) + (d.vi ? " (tiếp)" : " (continued)");
      draw_text(cr, continued, kMargin, 52, 14, Face::kBold, kInk);
    }
    const std::size_t end = p + 1 < first.size() ? first[p + 1] : rows.size();
    draw_table(cr, w, rows, first[p], end, p == 0 ? kTableHead1 : kTableHeadNext);
    footer(cr, d, w, static_cast<int>(p) + 1, pages);
    cairo_show_page(cr);
  }
  for (std::size_t k = 0; k < d.hotspots.size(); ++k) {
    hotspot_page(cr, d, w, d.hotspots[k], overview + static_cast<int>(k) + 1, pages);
    cairo_show_page(cr);
  }
  return pages;
}

}  // namespace hotspot
