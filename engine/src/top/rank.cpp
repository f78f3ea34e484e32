// hotspot top, ranking: the window's incidents counted into every hotspot, ranked, and the
// listed ones described (communes met, WGS 84 position and polygon, peak hours, categories).
#include "top/rank.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <tuple>

#include "crs/transform.hpp"
#include "geom/geos.hpp"
#include "hotspot/error.hpp"
#include "hotspot/spacetime.hpp"
#include "index/polygon_index.hpp"
#include "weights/weights.hpp"

namespace hotspot {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Names of the polygons whose interior meets `g` (Geos::interiors_meet: touching is not
// meeting), the one sharing the most area with it first: that is the commune a patrol plan
// starts from.
std::vector<std::string> meeting_names(const Geos& geos, const GEOSGeometry* g, const Box& box,
                                       const PolygonLayer& layer, const std::vector<Geom>& geoms) {
  std::vector<std::pair<double, std::size_t>> met;  // shared area, polygon
  for (std::size_t i = 0; i < layer.size(); ++i)
    if (bounds(layer.geom[i]).intersects(box) && geos.interiors_meet(g, geoms[i].get()))
      met.push_back({geos.area(geos.intersection(g, geoms[i].get()).get()), i});
  std::stable_sort(met.begin(), met.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<std::string> out;
  for (const auto& [area, i] : met)
    out.push_back(layer.name[i].empty() ? layer.id[i] : layer.name[i]);
  return out;
}

// "G2" < "G10" < "Z1": prefix letters, then the number, then the text.
bool id_less(const std::string& a, const std::string& b) {
  auto split = [](const std::string& s) {
    std::size_t k = s.find_first_of("0123456789");
    if (k == std::string::npos) k = s.size();
    std::size_t e = s.find_first_not_of("0123456789", k);
    if (e == std::string::npos) e = s.size();
    const std::string digits = s.substr(k, e - k);
    return std::make_tuple(s.substr(0, k), digits.size(), digits, s);
  };
  return split(a) < split(b);
}

// A point on the surface and the polygon in WGS 84, or false when PROJ cannot project some
// vertex: then the hotspot gets no position at all rather than a partly projected one (no NaN
// reaches an output). Not the centroid: that of a crescent-shaped zone lies outside it.
bool to_lonlat(const Transformer& t, const Geos& geos, const GEOSGeometry* g, const MultiPolygon& mp,
               TopHotspot& h) {
  XY c = geos.point_on_surface(g);
  MultiPolygon ll = mp;
  if (t.transform(1, &c.x, &c.y) > 0 || !std::isfinite(c.x) || !std::isfinite(c.y) ||
      !transform_multipolygon(t, ll))
    return false;
  h.lon = c.x, h.lat = c.y;
  h.lonlat = std::move(ll);
  return true;
}

// Peak hours and the two most frequent categories of the hotspot's window incidents.
// The busiest `kPeakHours` whole hours of the day, among blocks whose every hour overlaps the
// window's hours: a 22:00-06:00 shift never gets 20:00-23:00. A shift shorter than that is one
// block of the hours it overlaps. Ties: the earliest start after the shift's first hour.
constexpr int kPeakHours = 3;
PeakHours peak_in_window(const WeekProfile& profile, const TimeWindow& w) {
  std::int64_t by_hour[24] = {}, total = 0;
  for (std::size_t k = 0; k < profile.size(); ++k) by_hour[k % 24] += profile[k], total += profile[k];
  bool overlaps[24];
  int n_overlap = 0;
  for (int h = 0; h < 24; ++h) {
    bool o = !w.by_hours;
    for (int m = h * 60; m < h * 60 + 60 && !o; ++m)
      o = w.h0 < w.h1 ? (m >= w.h0 && m < w.h1) : (m >= w.h0 || m < w.h1);
    overlaps[h] = o;
    n_overlap += o;
  }
  PeakHours best;
  best.hours = std::min(kPeakHours, n_overlap);
  best.incidents = -1;
  const int first = w.by_hours ? w.h0 / 60 : 0;
  for (int k = 0; k < 24; ++k) {
    const int start = (first + k) % 24;
    bool ok = true;
    std::int64_t n = 0;
    for (int h = 0; h < best.hours; ++h) ok = ok && overlaps[(start + h) % 24], n += by_hour[(start + h) % 24];
    if (ok && n > best.incidents) best.start_hour = start, best.incidents = n;
  }
  best.share = total > 0 ? static_cast<double>(best.incidents) / static_cast<double>(total) : 0;
  return best;
}

void describe_incidents(const Incidents& inc, const std::vector<std::size_t>& inside,
                        const TimeWindow& window, int utc_offset_minutes, TopHotspot& t) {
  std::vector<std::int64_t> times;
  std::map<std::uint32_t, std::int64_t> per_category;
  for (std::size_t i : inside) {
    if (!inc.date_only(i)) times.push_back(inc.time_utc[i]);  // no hour: not in the peak hours
    if (inc.category[i] != Dictionary::kNone) ++per_category[inc.category[i]];
  }
  const std::vector<std::int32_t> all_in_one(times.size(), 0);
  const PeakHours peak =
      peak_in_window(week_profiles(times, all_in_one, 1, utc_offset_minutes).front(), window);
  if (peak.incidents > 0) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02d:00-%02d:00", peak.start_hour,
                  (peak.start_hour + peak.hours) % 24);
    t.peak_hours = buf;
    t.peak_incidents = peak.incidents;
    t.peak_share = peak.share;
  }
  for (const auto& [code, count] : per_category)
    t.categories.push_back({inc.categories[code], count,
                            static_cast<double>(count) / static_cast<double>(t.incidents)});
  std::stable_sort(
      t.categories.begin(), t.categories.end(), [](const CategoryShare& a, const CategoryShare& b) {
        return a.incidents != b.incidents ? a.incidents > b.incidents : a.category < b.category;
      });
  if (t.categories.size() > 2) t.categories.resize(2);
}

// Hotspots of different sources whose interiors meet are one place (a KDE zone and a Gi* group
// over the same streets): merged, transitively, into one candidate, its polygon their union, its
// id the members' ids by id_less joined with '+'. Hotspots of one source never overlap each other,
// so they only join through a partner of the other source. Order: by first member.
std::vector<TopCandidate> merge_sources(const std::vector<TopCandidate>& hs, const Geos& geos) {
  const std::size_t n = hs.size();
  std::vector<std::size_t> parent(n);
  for (std::size_t i = 0; i < n; ++i) parent[i] = i;
  auto find = [&](std::size_t i) {
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
  };
  std::vector<Geom> g;
  std::vector<Box> box;
  for (const auto& h : hs) g.push_back(geos.from(h.geom)), box.push_back(bounds(h.geom));
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i + 1; j < n; ++j)
      if (hs[i].source != hs[j].source && box[i].intersects(box[j]) &&
          geos.interiors_meet(g[i].get(), g[j].get()))
        parent[find(i)] = find(j);
  std::map<std::size_t, std::vector<std::size_t>> groups;  // root -> members, input order
  std::vector<std::size_t> first_seen;
  for (std::size_t i = 0; i < n; ++i) {
    auto& m = groups[find(i)];
    if (m.empty()) first_seen.push_back(find(i));
    m.push_back(i);
  }
  std::vector<TopCandidate> out;
  for (std::size_t root : first_seen) {
    std::vector<std::size_t> m = groups[root];
    if (m.size() == 1) {
      out.push_back(hs[m[0]]);
      continue;
    }
    std::stable_sort(m.begin(), m.end(), [&](std::size_t a, std::size_t b) { return id_less(hs[a].id, hs[b].id); });
    TopCandidate c;
    std::vector<MultiPolygon> parts;
    std::vector<std::string> layers;
    bool zones = false, gi = false;
    for (std::size_t i : m) {
      c.id += (c.id.empty() ? "" : "+") + hs[i].id;
      if (std::find(layers.begin(), layers.end(), hs[i].layer) == layers.end()) layers.push_back(hs[i].layer);
      zones = zones || hs[i].source == "zones", gi = gi || hs[i].source == "gi";
      parts.push_back(hs[i].geom);
    }
    c.source = zones && gi ? "zones+gi" : hs[m[0]].source;
    for (const auto& l : layers) c.layer += (c.layer.empty() ? "" : "+") + l;
    c.geom = geos.to_multipolygon(geos.union_all(parts).get());
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

TopResult rank_top(const TopInputs& in, const TopOptions& o) {
  const Incidents& inc = in.incidents;
  TopResult r;
  r.in = in.in;
  r.utc_offset_minutes = in.utc_offset_minutes;
  r.utc_offset_from = in.utc_offset_from;
  r.layers = in.layers;
  r.warnings = in.warnings;
  r.incidents_total = static_cast<std::int64_t>(inc.size());
  r.hotspots = static_cast<std::int64_t>(in.hotspots.size());

  // The window, its relative dates resolved from the file's as-of date; with --window NAME, the
  // one that analysis recorded.
  r.window_name = in.window_name;
  TimeWindow window = in.window_name.empty() ? o.window : in.window;
  const std::vector<std::string>& categories =
      in.window_name.empty() ? o.categories : in.window_categories;
  r.as_of = in.as_of, r.as_of_from = in.as_of_from;
  if (!o.from.empty() || !o.to.empty() || !o.last.empty()) {
    std::int64_t as_of_day = 0;
    if (!in.as_of.empty()) {
      TimeWindow a;
      set_window_from(a, in.as_of);
      as_of_day = a.first_day;
    } else if (is_relative_date(o.from) || is_relative_date(o.to) || !o.last.empty()) {
      throw ParameterError(!o.last.empty() ? "last" : is_relative_date(o.from) ? "from" : "to",
                           "relative dates need an as-of date, and '" + in.in +
                               "' records none and holds no incident with a time");
    }
    set_window_dates(window, o.from, o.to, o.last, as_of_day);
  }
  check_window(window);
  if (!(o.min_pai >= 0)) throw ParameterError("min_pai", "must be >= 0");
  r.min_pai = o.min_pai;
  const std::vector<char> category_ok = select_categories(inc.categories, categories);
  r.from = window.from, r.to = window.to, r.hours = window.hours;
  r.categories = categories;
  if (window.weekdays != 0x7F)
    for (int d = 0; d < 7; ++d)
      if (window.weekdays >> d & 1u) r.days.push_back(weekday_name(d));
  // The shared selection (hotspot/window.hpp): the incidents a kde or local analysis of the same
  // window used.
  const WindowSelection win = select_window(inc, window, category_ok, r.utc_offset_minutes);
  r.incidents_in_window = static_cast<std::int64_t>(win.index.size());
  // Date-only incidents (no time of day) outside an hour window are of no_time too.
  r.incidents_without_time = win.no_time - win.date_only;
  r.incidents_without_hour = win.date_only;
  if (!window.by_hours)
    for (std::size_t i : win.index) r.incidents_without_hour += inc.date_only(i);

  // Study area: the communes, else the incidents' extent.
  Geos geos;
  // A file in longitude/latitude (written by hand or another tool: hotspot writes metres) has
  // its areas measured on the ellipsoid; planar degrees² would be ~0 km².
  auto area_km2 = [&](const MultiPolygon& mp) {
    return (in.crs.geographic() ? geodesic_area_m2(mp, in.crs) : geos.area(geos.from(mp).get())) /
           1e6;
  };
  r.planar = in.crs.planar();
  if (!in.communes.geom.empty()) {
    for (const auto& mp : in.communes.geom) r.study_area_km2 += area_km2(mp);
    r.study_area_from = "communes";
  } else {
    Box b;
    for (std::size_t i = 0; i < inc.size(); ++i) b.expand(XY{inc.x[i], inc.y[i]});
    r.study_area_km2 =
        b.empty() ? 0
                  : area_km2({Polygon{{{b.xmin, b.ymin}, {b.xmax, b.ymin}, {b.xmax, b.ymax},
                                       {b.xmin, b.ymax}, {b.xmin, b.ymin}},
                                      {}}});
    r.study_area_from = "incidents' extent";
  }

  // Window incidents inside each place (after merging, places do not overlap across sources).
  const std::vector<TopCandidate> hotspots = merge_sources(in.hotspots, geos);
  std::vector<MultiPolygon> geoms;
  for (const auto& h : hotspots) geoms.push_back(h.geom);
  const PolygonIndex index(geoms);
  std::vector<std::vector<std::size_t>> inside(hotspots.size());
  std::vector<std::int32_t> hits;
  for (std::size_t i : win.index) {
    index.locate_all({inc.x[i], inc.y[i]}, hits);
    for (auto h : hits) inside[static_cast<std::size_t>(h)].push_back(i);
  }

  std::vector<TopHotspot> ranked;
  std::vector<std::size_t> ranked_from;  // index into hotspots
  const double n_window = static_cast<double>(win.index.size());
  for (std::size_t h = 0; h < hotspots.size(); ++h) {
    if (inside[h].empty()) continue;
    TopHotspot t;
    t.id = hotspots[h].id;
    t.source = hotspots[h].source;
    t.layer = hotspots[h].layer;
    t.incidents = static_cast<std::int64_t>(inside[h].size());
    t.share = static_cast<double>(t.incidents) / n_window;
    t.area_km2 = area_km2(hotspots[h].geom);
    t.pai =
        t.area_km2 > 0 && r.study_area_km2 > 0 ? t.share / (t.area_km2 / r.study_area_km2) : kNaN;
    ++r.hotspots_with_incidents;
    // No better than the average: not a place to send a patrol to. A NaN PAI (no area to compare
    // with) says nothing either way: kept.
    if (!std::isnan(t.pai) && !(t.pai > o.min_pai)) {
      ++r.hidden_by_min_pai;
      continue;
    }
    ranked.push_back(std::move(t));
    ranked_from.push_back(h);
  }
  std::vector<std::size_t> order(ranked.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const TopHotspot &x = ranked[a], &y = ranked[b];
    if (x.incidents != y.incidents) return x.incidents > y.incidents;
    const double px = std::isnan(x.pai) ? -1 : x.pai, py = std::isnan(y.pai) ? -1 : y.pai;
    if (px != py) return px > py;
    return id_less(x.id, y.id);
  });
  if (order.size() > static_cast<std::size_t>(o.n)) order.resize(static_cast<std::size_t>(o.n));

  // Details for the listed hotspots only.
  std::vector<Geom> commune_geoms, zone_geoms;
  for (const auto& mp : in.communes.geom) commune_geoms.push_back(geos.from(mp));
  for (const auto& mp : in.zones.geom) zone_geoms.push_back(geos.from(mp));
  std::optional<Transformer> wgs84;
  if (!in.crs.planar()) wgs84.emplace(in.crs, parse_crs("EPSG:4326", "WGS 84"));
  for (std::size_t k = 0; k < order.size(); ++k) {
    TopHotspot t = std::move(ranked[order[k]]);
    const std::size_t h = ranked_from[order[k]];
    const MultiPolygon& mp = hotspots[h].geom;
    t.rank = static_cast<int>(k + 1);

    Geom g = geos.from(mp);
    const Box box = bounds(mp);
    t.communes = meeting_names(geos, g.get(), box, in.communes, commune_geoms);
    t.industrial_zones = meeting_names(geos, g.get(), box, in.zones, zone_geoms);
    if (wgs84 && !to_lonlat(*wgs84, geos, g.get(), mp, t))
      r.warnings.push_back("hotspot " + t.id + ": its polygon cannot be projected from " +
                           in.crs.label() + " to WGS 84; listed without lat, lon or polygon");
    describe_incidents(inc, inside[h], window, r.utc_offset_minutes, t);
    r.top.push_back(std::move(t));
  }
  return r;
}

}  // namespace hotspot
