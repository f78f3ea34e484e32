// hotspot brief: the ranking of hotspot top (read_top + rank_top on the KDE hotspot zones), the
// window's incidents per hotspot by hour and weekday, the status of the nightly identity and the
// trend from emerging, drawn as an A4 PDF with cairo.
#include "top/brief.hpp"

#include <cairo-pdf.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "hotspot/error.hpp"
#include "io/gdal_util.hpp"
#include "io/lines.hpp"
#include "jobs/outputs.hpp"
#include "render/draw.hpp"
#include "top/read.hpp"
#include "util/temp_file.hpp"

namespace hotspot {

namespace fs = std::filesystem;

namespace {

// Even-odd over every ring: inside a polygon and outside its holes.
bool inside(const MultiPolygon& mp, const Box& b, XY p) {
  if (p.x < b.xmin || p.x > b.xmax || p.y < b.ymin || p.y > b.ymax) return false;
  bool in = false;
  auto ring = [&](const Ring& r) {
    for (std::size_t i = 1; i < r.size(); ++i)
      if ((r[i - 1].y > p.y) != (r[i].y > p.y) &&
          p.x < r[i - 1].x + (p.y - r[i - 1].y) * (r[i].x - r[i - 1].x) / (r[i].y - r[i - 1].y))
        in = !in;
  };
  for (const Polygon& poly : mp) {
    ring(poly.shell);
    for (const Ring& h : poly.holes) ring(h);
  }
  return in;
}

XY centroid_of(const OGRGeometry* g) {
  OGRPoint c;
  if (g->Centroid(&c) != OGRERR_NONE) return {std::nan(""), std::nan("")};
  return {c.getX(), c.getY()};
}

// status and days_active by hotspot_id, from hotspot_zones' identity fields.
void read_status(GDALDataset& ds, std::vector<BriefHotspot>& hs) {
  OGRLayer* l = ds.GetLayerByName("hotspot_zones");
  if (!l || l->GetLayerDefn()->GetFieldIndex("status") < 0) return;
  l->ResetReading();
  while (FeaturePtr f{l->GetNextFeature()}) {
    const std::string id = f->GetFieldAsString("hotspot_id");
    for (auto& h : hs)
      if (h.top.id == id) {
        h.status = f->GetFieldAsString("status");
        h.days_active = f->GetFieldAsInteger64("days_active");
      }
  }
}

// The commonest emerging category among the cells whose centre lies in the hotspot, "No Pattern
// Detected" only when nothing else is there; for a hotspot that holds no cell's centre, the
// category of the cell under its centre.
void read_trend(GDALDataset& ds, std::vector<BriefHotspot>& hs) {
  OGRLayer* l = ds.GetLayerByName("emerging");
  if (!l || l->GetLayerDefn()->GetFieldIndex("category") < 0) return;
  std::vector<std::map<std::string, int>> counts(hs.size());
  std::vector<Box> boxes;
  for (const auto& h : hs) boxes.push_back(bounds(h.geom));
  // A hotspot smaller than a cell may hold no cell's centre: then the cell that holds the centre
  // of the hotspot's bounding box (the first one read), found in the same pass.
  std::vector<std::string> under(hs.size());
  l->ResetReading();
  while (FeaturePtr f{l->GetNextFeature()}) {
    const OGRGeometry* g = f->GetGeometryRef();
    if (!g) continue;
    const XY c = centroid_of(g);
    OGREnvelope env;
    g->getEnvelope(&env);
    for (std::size_t k = 0; k < hs.size(); ++k) {
      if (inside(hs[k].geom, boxes[k], c)) ++counts[k][f->GetFieldAsString("category")];
      const Box& b = boxes[k];
      if (!under[k].empty() || b.empty()) continue;
      const double cx = 0.5 * (b.xmin + b.xmax), cy = 0.5 * (b.ymin + b.ymax);
      if (cx < env.MinX || cx > env.MaxX || cy < env.MinY || cy > env.MaxY) continue;
      OGRPoint centre(cx, cy);
      if (g->Contains(&centre)) under[k] = f->GetFieldAsString("category");
    }
  }
  for (std::size_t k = 0; k < hs.size(); ++k)
    if (counts[k].empty() && !under[k].empty()) counts[k][under[k]] = 1;
  for (std::size_t k = 0; k < hs.size(); ++k) {
    std::pair<std::string, int> best{"", 0};
    for (const auto& [cat, n] : counts[k]) {
      const bool pattern = cat != "No Pattern Detected";
      const bool best_pattern = !best.first.empty() && best.first != "No Pattern Detected";
      if (best.first.empty() || (pattern && !best_pattern) || (pattern == best_pattern && n > best.second))
        best = {cat, n};
    }
    hs[k].trend = best.first;
  }
}

std::string grouped(std::int64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

BriefResult write_brief(const BriefOptions& o) {
  if (o.in.empty()) throw UsageError("--in is required");
  if (o.n < 1) throw UsageError("--n " + std::to_string(o.n) + ": must be at least 1");
  if (o.lang != "vi" && o.lang != "en") throw UsageError("--lang '" + o.lang + "': expected vi or en");
  if (o.out.size() < 5 || o.out.substr(o.out.size() - 4) != ".pdf")
    throw UsageError("--out '" + o.out + "': expected a .pdf path");
  refuse_overwriting_inputs(o.out, {o.in});
  check_window(o.window);
  const fs::path target(o.out);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw IoError("--out: directory '" + dir.string() + "' does not exist");

  const TopInputs in = read_top(o.in, TopSource::kZones, o.utc_offset_minutes);
  TopOptions to;
  to.in = o.in;
  to.n = o.n;
  to.source = TopSource::kZones;
  to.window = o.window;
  to.categories = o.categories;
  to.utc_offset_minutes = o.utc_offset_minutes;
  const TopResult r = rank_top(in, to);
  if (r.top.empty())
    throw InputError(o.in + ": no hotspot zone holds an incident of the window; nothing to brief");

  BriefData d;
  d.in = &in;
  d.roads = o.roads.empty() ? o.road_lines : read_lines(LineOptions{o.roads, "", ""}, in.crs, "--roads");
  d.vi = o.lang == "vi";
  d.title = o.title.empty() ? fs::path(o.in).filename().string() : o.title;
  // "toàn bộ thời gian", the whole period: "mọi ngày" (every day) misread before a days filter.
  std::string when = r.from.empty() && r.to.empty() ? (d.vi ? "toàn bộ thời gian" : "all dates")
                                                    : r.from + " – " + r.to;
  if (!r.hours.empty()) when += " · " + r.hours;
  if (!r.days.empty()) when += " · " + window_days_text(r.days, d.vi);
  d.window_text = when + " · " + grouped(r.incidents_in_window) + (d.vi ? " vụ việc" : " incidents");

  const std::vector<char> cats = select_categories(in.incidents.categories, o.categories);
  const Incidents& inc = in.incidents;
  std::vector<char> in_window(inc.size(), 0);
  for (std::size_t i : select_window(inc, o.window, cats, r.utc_offset_minutes).index) {
    in_window[i] = 1;
    d.window_points.push_back({inc.x[i], inc.y[i]});
  }
  for (const TopHotspot& t : r.top) {
    BriefHotspot h;
    h.top = t;
    for (const auto& c : in.hotspots)
      if (c.id == t.id) h.geom = c.geom;
    const Box b = bounds(h.geom);
    for (std::size_t i = 0; i < inc.size(); ++i) {
      if (!in_window[i] || !inside(h.geom, b, {inc.x[i], inc.y[i]})) continue;
      h.incidents.push_back({inc.x[i], inc.y[i]});
      if (inc.time_utc[i] == kNoTime) continue;
      const std::int64_t local = inc.time_utc[i] + std::int64_t{60} * r.utc_offset_minutes;
      const std::int64_t day = local >= 0 ? local / 86400 : (local - 86399) / 86400;
      ++h.by_hour[static_cast<std::size_t>((local - day * 86400) / 3600)];
      ++h.by_weekday[static_cast<std::size_t>(((day + 3) % 7 + 7) % 7)];  // 1970-01-01 was a Thursday
    }
    d.hotspots.push_back(std::move(h));
  }
  {
    register_gdal_once();
    DatasetPtr ds = open_vector(o.in, "--in");
    read_status(*ds, d.hotspots);
    read_trend(*ds, d.hotspots);
  }

  const std::string temp = temp_path_for(o.out);
  int pages = 0;
  {
    render::SurfacePtr surface(cairo_pdf_surface_create(temp.c_str(), 595.28, 841.89));
    if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS)
      throw IoError("--out: cannot create '" + temp + "' next to " + o.out);
    render::ContextPtr cr(cairo_create(surface.get()));
    pages = draw_brief_pages(cr.get(), d);
    const cairo_status_t st = cairo_status(cr.get());
    cr.reset();
    cairo_surface_finish(surface.get());
    if (st != CAIRO_STATUS_SUCCESS || cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
      fs::remove(temp, ec);
      throw IoError("--out: cannot write '" + o.out + "': " +
                    cairo_status_to_string(st != CAIRO_STATUS_SUCCESS ? st : cairo_surface_status(surface.get())));
    }
  }
  fs::rename(temp, target, ec);
  if (ec) {
    const std::string why = ec.message();
    fs::remove(temp, ec);
    throw IoError("--out: cannot move the finished briefing into place at '" + o.out + "': " + why);
  }
  BriefResult res;
  res.pages = pages;
  for (const auto& h : d.hotspots) res.ids.push_back(h.top.id);
  res.warnings = r.warnings;
  return res;
}

}  // namespace hotspot
