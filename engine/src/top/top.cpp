// hotspot top: read a finished output -> pick the window's incidents -> count them into every
// hotspot -> rank -> render (table, csv, json, geojson).
#include "hotspot/top.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <tuple>

#include "crs/transform.hpp"
#include "geom/geos.hpp"
#include "hotspot/error.hpp"
#include "hotspot/spacetime.hpp"
#include "index/polygon_index.hpp"
#include "io/gdal_util.hpp"
#include "io/incidents.hpp"
#include "io/polygons.hpp"
#include "util/text.hpp"
#include "util/time.hpp"
#include "weights/weights.hpp"

namespace hotspot {

namespace {

// Keys in the order written: the output is read by people as well as tools.
using json = nlohmann::ordered_json;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr const char* kDayNames[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
constexpr const char* kDayNamesLong[7] = {"monday", "tuesday",  "wednesday", "thursday",
                                          "friday", "saturday", "sunday"};

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

// ---- The window ---------------------------------------------------------------------------------

int parse_day(const std::string& item, const std::string& text) {
  std::string s;
  for (char c : item)
    if (c != ' ') s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (int k = 0; k < 7; ++k)
    if (s == kDayNames[k] || s == kDayNamesLong[k]) return k;
  throw UsageError(
      "--days '" + text + "': unknown day '" + item +
      "'; use mon tue wed thu fri sat sun, ranges (mon-fri, fri-mon) and lists (sat,sun)");
}

// Bit k set: weekday k (0 = Monday) is in the window. A range runs forward and may wrap the week.
unsigned parse_days(const std::string& text) {
  if (text.empty()) return 0x7F;
  unsigned mask = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    const std::string item = text.substr(start, comma - start);
    if (item.find_first_not_of(' ') == std::string::npos)
      throw UsageError("--days '" + text + "': empty item; e.g. mon-fri or sat,sun");
    const std::size_t dash = item.find('-');
    if (dash == std::string::npos) {
      mask |= 1u << parse_day(item, text);
    } else {
      int a = parse_day(item.substr(0, dash), text), b = parse_day(item.substr(dash + 1), text);
      for (int d = a;; d = (d + 1) % 7) {
        mask |= 1u << d;
        if (d == b) break;
      }
    }
    start = comma + 1;
  }
  return mask;
}

// The window is a set of shifts: each local day (in --from..--to and --days) from the start of
// --hours to its end. When the hours wrap midnight, the hours after midnight belong to the
// shift that began the evening before: Friday's 22:00-04:00 shift includes Saturday 01:00.
struct Window {
  bool by_time = false;
  std::int64_t day0 = std::numeric_limits<std::int64_t>::min(),
               day1 = std::numeric_limits<std::int64_t>::max();
  bool by_hours = false;
  int h0 = 0, h1 = 0;  // minutes after local midnight, [h0, h1)
  unsigned days = 0x7F;
  int offset_min = 0;
  std::vector<char> category_ok;  // by category code; empty: every category

  bool contains_time(std::int64_t t) const {
    const std::int64_t local = t + static_cast<std::int64_t>(offset_min) * 60;
    std::int64_t day = floor_div(local, 86400);
    const int minute = static_cast<int>((local - day * 86400) / 60);
    if (by_hours) {
      const bool in = h0 < h1 ? (minute >= h0 && minute < h1) : (minute >= h0 || minute < h1);
      if (!in) return false;
      if (h1 < h0 && minute < h1) --day;
    }
    // 0 = Monday; 1970-01-01 was a Thursday.
    const auto weekday = static_cast<unsigned>(((day + 3) % 7 + 7) % 7);
    return day >= day0 && day <= day1 && (days >> weekday & 1u);
  }
};

// Everything but the categories, which need the incidents: bad options fail before any reading.
Window parse_window(const TopOptions& o) {
  Window w;
  if (!o.from.empty()) w.day0 = local_midnight(o.from, 0, "--from") / 86400;
  if (!o.to.empty()) w.day1 = local_midnight(o.to, 0, "--to") / 86400;
  if (w.day1 < w.day0) throw UsageError("--from '" + o.from + "' is after --to '" + o.to + "'");
  if (!o.hours.empty()) {
    const auto dash = o.hours.find('-');
    if (dash == std::string::npos)
      throw UsageError("--hours '" + o.hours + "': expected HH:MM-HH:MM, e.g. 22:00-04:00");
    w.h0 = parse_hhmm(o.hours.substr(0, dash), "--hours");
    w.h1 = parse_hhmm(o.hours.substr(dash + 1), "--hours");
    if (w.h0 == w.h1)
      throw UsageError("--hours '" + o.hours + "' is empty; leave it out for the whole day");
    w.by_hours = true;
  }
  w.days = parse_days(o.days);
  w.by_time = !o.from.empty() || !o.to.empty() || w.by_hours || w.days != 0x7F;
  return w;
}

void select_categories(Window& w, const std::vector<std::string>& categories,
                       const Incidents& inc) {
  if (!categories.empty()) {
    w.category_ok.assign(inc.categories.size(), 0);
    for (const auto& want : categories) {
      bool found = false;
      for (std::size_t k = 0; k < inc.categories.size(); ++k)
        if (inc.categories[static_cast<std::uint32_t>(k)] == want)
          w.category_ok[k] = 1, found = true;
      if (!found) {
        std::string known;
        for (const auto& l : inc.categories.labels()) known += (known.empty() ? "" : ", ") + l;
        throw UsageError("--category '" + want +
                         "' matches no incident; categories present: " + known);
      }
    }
  }
}

// ---- Reading the file ---------------------------------------------------------------------------

// utc_offset_minutes from run_metadata's `parameters` (at the top, or inside a step's parameters
// in a file written by several steps).
std::optional<int> find_offset(const json& j) {
  if (!j.is_object()) return std::nullopt;
  auto it = j.find("utc_offset_minutes");
  if (it != j.end() && it->is_number_integer() && std::abs(it->get<std::int64_t>()) <= 14 * 60)
    return it->get<int>();
  for (const auto& v : j)
    if (auto found = find_offset(v)) return found;
  return std::nullopt;
}

std::optional<int> recorded_offset(GDALDataset& ds) {
  OGRLayer* meta = ds.GetLayerByName("run_metadata");
  if (!meta) return std::nullopt;
  const int ki = meta->GetLayerDefn()->GetFieldIndex("key"),
            vi = meta->GetLayerDefn()->GetFieldIndex("value");
  if (ki < 0 || vi < 0) return std::nullopt;
  meta->ResetReading();
  for (FeaturePtr f(meta->GetNextFeature()); f; f.reset(meta->GetNextFeature())) {
    if (std::string(f->GetFieldAsString(ki)) != "parameters") continue;
    json j = json::parse(f->GetFieldAsString(vi), nullptr, /*allow_exceptions=*/false);
    if (auto found = find_offset(j)) return found;
  }
  return std::nullopt;
}

struct Hotspot {
  std::string id, source, layer;
  MultiPolygon geom;
};

bool polygon_layer(OGRLayer& layer) {
  const auto t = wkbFlatten(layer.GetGeomType());
  return t == wkbPolygon || t == wkbMultiPolygon || t == wkbCurvePolygon || t == wkbMultiSurface;
}

MultiPolygon feature_polygon(OGRFeature& f, const Geos& geos) {
  const OGRGeometry* g = f.GetGeometryRef();
  if (!g || g->IsEmpty()) return {};
  bool repaired = false;
  return valid_multipolygon(*g, geos, &repaired);
}

// Each feature of hotspot_zones (KDE) is one hotspot.
std::vector<Hotspot> read_kde_zones(OGRLayer& layer, const Geos& geos) {
  const int id_i = layer.GetLayerDefn()->GetFieldIndex("hotspot_id");
  const int rank_i = layer.GetLayerDefn()->GetFieldIndex("zone_rank");
  std::vector<Hotspot> out;
  layer.ResetReading();
  for (FeaturePtr f(layer.GetNextFeature()); f; f.reset(layer.GetNextFeature())) {
    MultiPolygon mp = feature_polygon(*f, geos);
    if (mp.empty()) continue;
    std::string id;
    if (id_i >= 0 && f->IsFieldSetAndNotNull(id_i)) id = f->GetFieldAsString(id_i);
    if (id.empty())
      id = "Z" + std::to_string(rank_i >= 0 && f->IsFieldSetAndNotNull(rank_i)
                                    ? f->GetFieldAsInteger64(rank_i)
                                    : f->GetFID());
    out.push_back({id, "zones", layer.GetName(), std::move(mp)});
  }
  return out;
}

// Cells with Gi_Bin >= 2 (hot at 95 % or more), grouped into connected components of touching
// cells (queen contiguity, with `hotspot local`'s default snapping tolerance). Groups are ordered
// by cell count, then by their first cell in the layer, so labels do not depend on the window.
std::vector<Hotspot> read_gi_groups(OGRLayer& layer, const Crs& crs, const Geos& geos) {
  const int bin_i = layer.GetLayerDefn()->GetFieldIndex("Gi_Bin");
  std::vector<MultiPolygon> cells;
  Box extent;
  layer.ResetReading();
  for (FeaturePtr f(layer.GetNextFeature()); f; f.reset(layer.GetNextFeature())) {
    if (!f->IsFieldSetAndNotNull(bin_i) || f->GetFieldAsInteger(bin_i) < 2) continue;
    MultiPolygon mp = feature_polygon(*f, geos);
    if (mp.empty()) continue;
    extent.expand(bounds(mp));
    cells.push_back(std::move(mp));
  }
  if (cells.empty()) return {};
  const double diag = std::hypot(extent.xmax - extent.xmin, extent.ymax - extent.ymin);
  const SpatialWeights w =
      contiguity_weights(cells, Contiguity::Queen, crs.metres ? 0.5 : 1e-7 * diag);

  std::vector<std::int32_t> group(cells.size(), -1);
  std::vector<std::vector<std::int32_t>> groups;
  for (std::size_t s = 0; s < cells.size(); ++s) {
    if (group[s] >= 0) continue;
    const auto g = static_cast<std::int32_t>(groups.size());
    group[s] = g;
    auto& members = groups.emplace_back(1, static_cast<std::int32_t>(s));
    for (std::size_t k = 0; k < members.size(); ++k) {
      const auto c = static_cast<std::size_t>(members[k]);
      for (auto e = w.offset[c]; e < w.offset[c + 1]; ++e) {
        const auto nb = static_cast<std::size_t>(w.index[static_cast<std::size_t>(e)]);
        if (group[nb] >= 0) continue;
        group[nb] = g;
        members.push_back(static_cast<std::int32_t>(nb));
      }
    }
  }
  // Groups were found in the order of their first cell; stable_sort keeps it among equal sizes.
  std::stable_sort(groups.begin(), groups.end(),
                   [](const auto& a, const auto& b) { return a.size() > b.size(); });
  std::vector<Hotspot> out;
  for (const auto& members : groups) {
    std::vector<MultiPolygon> parts;
    for (auto c : members) parts.push_back(cells[static_cast<std::size_t>(c)]);
    Geom u = geos.union_all(parts);
    out.push_back({"", "gi", layer.GetName(), geos.to_multipolygon(u.get())});
  }
  return out;
}

std::string layer_names(GDALDataset& ds) {
  std::string names;
  for (int i = 0; i < ds.GetLayerCount(); ++i)
    names += (i ? ", " : "") + std::string(ds.GetLayer(i)->GetName());
  return names;
}

void require_same_crs(const Crs& a, const Crs& b, const std::string& layer,
                      const std::string& path) {
  if (!a.same_as(b))
    throw InputError("top: layer '" + layer + "' in '" + path + "' is in " + b.label() +
                     ", the incidents in " + a.label() +
                     "; a file written by hotspot has every layer in its working CRS");
}

// Names of the polygons whose interior meets `g` (touching a boundary is not meeting), the one
// sharing the most area with it first: that is the commune a patrol plan starts from.
std::vector<std::string> meeting_names(const Geos& geos, const GEOSGeometry* g, const Box& box,
                                       const PolygonLayer& layer, const std::vector<Geom>& geoms) {
  std::vector<std::pair<double, std::size_t>> met;  // shared area, polygon
  for (std::size_t i = 0; i < layer.size(); ++i)
    if (bounds(layer.geom[i]).intersects(box) && geos.intersects(g, geoms[i].get()) &&
        GEOSTouches_r(geos.ctx(), g, geoms[i].get()) == 0)
      met.push_back({geos.area(geos.intersection(g, geoms[i].get()).get()), i});
  std::stable_sort(met.begin(), met.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<std::string> out;
  for (const auto& [area, i] : met)
    out.push_back(layer.name[i].empty() ? layer.id[i] : layer.name[i]);
  return out;
}

void transform_ring(const Transformer& t, Ring& ring) {
  std::vector<double> x, y;
  for (const XY& p : ring) x.push_back(p.x), y.push_back(p.y);
  t.transform(ring.size(), x.data(), y.data());
  for (std::size_t k = 0; k < ring.size(); ++k) ring[k] = {x[k], y[k]};
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

}  // namespace

TopResult run_top(const TopOptions& o) {
  if (o.in.empty()) throw UsageError("--in is required");
  if (o.n < 1) throw UsageError("--n " + std::to_string(o.n) + ": must be at least 1");
  if (o.source != "zones" && o.source != "gi" && o.source != "both")
    throw UsageError("--source '" + o.source + "': expected zones, gi or both");

  Window win = parse_window(o);

  TopResult r;
  r.in = o.in;
  DatasetPtr ds = open_vector(o.in, "--in");
  const std::string& path = o.in;

  // The local time of the run that wrote the file, else the option.
  if (auto off = recorded_offset(*ds)) {
    r.utc_offset_minutes = *off;
    r.utc_offset_from = "run_metadata";
  } else {
    r.utc_offset_minutes = o.utc_offset_minutes;
    r.utc_offset_from = "--utc-offset";
  }

  // Hotspot layers first: without them there is nothing to rank.
  Geos geos;
  std::vector<Hotspot> hotspots;
  std::vector<std::pair<OGRLayer*, std::string>> hotspot_layers;  // layer, source
  if (o.source != "gi")
    if (OGRLayer* z = ds->GetLayerByName("hotspot_zones"); z && polygon_layer(*z))
      hotspot_layers.push_back({z, "zones"});
  if (o.source != "zones") {
    std::vector<OGRLayer*> local;
    for (int i = 0; i < ds->GetLayerCount(); ++i) {
      OGRLayer* l = ds->GetLayer(i);
      if (std::string(l->GetName()).rfind("local", 0) != 0 ||
          l->GetLayerDefn()->GetFieldIndex("Gi_Bin") < 0)
        continue;
      if (polygon_layer(*l))
        local.push_back(l);
      else
        r.warnings.push_back("layer '" + std::string(l->GetName()) +
                             "' has Gi_Bin but no polygons (point units); left out");
    }
    std::sort(local.begin(), local.end(),
              [](OGRLayer* a, OGRLayer* b) { return std::string(a->GetName()) < b->GetName(); });
    for (OGRLayer* l : local) hotspot_layers.push_back({l, "gi"});
  }
  if (hotspot_layers.empty()) {
    const std::string expected =
        o.source == "zones"
            ? "a layer hotspot_zones (hotspot kde --top-percent/--threshold/--percentile)"
        : o.source == "gi"
            ? "a polygon layer named local* with a Gi_Bin field (hotspot local --stat gi|both)"
            : "hotspot_zones (hotspot kde --top-percent/--threshold/--percentile) or a polygon "
              "layer named local* with a Gi_Bin field (hotspot local --stat gi|both)";
    throw InputError("top: no hotspot layer in '" + path + "' (--source " + o.source +
                     "): expected " + expected + "; layers present: " + layer_names(*ds));
  }

  // Incidents, in the file's working CRS.
  if (!ds->GetLayerByName("incidents"))
    throw InputError(
        "top: no layer 'incidents' in '" + path +
        "' (written by hotspot aggregate or run); layers present: " + layer_names(*ds));
  IncidentOptions io;
  io.path = path;
  io.layer = "incidents";
  io.utc_offset_minutes = r.utc_offset_minutes;
  IncidentRead read = read_incidents(io);
  const Incidents& inc = read.incidents;
  const Crs& crs = read.report.source_crs;
  if (!read.report.rejected.empty())
    r.warnings.push_back(std::to_string(read.report.rejected.size()) +
                         " features of the incidents layer were left out (" +
                         read.report.rejected.front().message + ", ...)");
  r.incidents_total = static_cast<std::int64_t>(inc.size());

  int next_gi = 1;
  for (auto& [layer, source] : hotspot_layers) {
    require_same_crs(crs, layer_crs(*ds, *layer, "", "hotspot", "--in"), layer->GetName(), path);
    std::vector<Hotspot> found =
        source == "zones" ? read_kde_zones(*layer, geos) : read_gi_groups(*layer, crs, geos);
    for (auto& h : found)
      if (h.id.empty()) h.id = "G" + std::to_string(next_gi++);
    r.layers.push_back({layer->GetName(), source, static_cast<std::int64_t>(found.size())});
    for (auto& h : found) hotspots.push_back(std::move(h));
  }
  r.hotspots = static_cast<std::int64_t>(hotspots.size());

  // Communes and industrial zones, for names and the study area.
  auto read_named = [&](const char* name) {
    PolygonLayer p;
    if (!ds->GetLayerByName(name)) return p;
    PolygonOptions po;
    po.path = path;
    po.layer = name;
    p = read_polygons(po, name, "--in");
    require_same_crs(crs, p.source_crs, name, path);
    return p;
  };
  const PolygonLayer communes = read_named("communes");
  const PolygonLayer zones = read_named("zones");

  // The window.
  win.offset_min = r.utc_offset_minutes;
  select_categories(win, o.categories, inc);
  r.from = o.from, r.to = o.to, r.hours = o.hours, r.categories = o.categories;
  if (win.days != 0x7F)
    for (int d = 0; d < 7; ++d)
      if (win.days >> d & 1u) r.days.push_back(kDayNames[d]);
  std::vector<std::size_t> in_window;
  for (std::size_t i = 0; i < inc.size(); ++i) {
    if (!win.category_ok.empty() &&
        (inc.category[i] == Dictionary::kNone || !win.category_ok[inc.category[i]]))
      continue;
    if (win.by_time) {
      if (inc.time_utc[i] == kNoTime) {
        ++r.incidents_without_time;
        continue;
      }
      if (!win.contains_time(inc.time_utc[i])) continue;
    }
    in_window.push_back(i);
  }
  r.incidents_in_window = static_cast<std::int64_t>(in_window.size());

  // Study area: the communes, else the incidents' extent.
  if (!communes.geom.empty()) {
    for (const auto& mp : communes.geom) r.study_area_km2 += geos.area(geos.from(mp).get()) / 1e6;
    r.study_area_from = "communes";
  } else {
    Box b;
    for (std::size_t i = 0; i < inc.size(); ++i) b.expand(XY{inc.x[i], inc.y[i]});
    r.study_area_km2 = b.empty() ? 0 : (b.xmax - b.xmin) * (b.ymax - b.ymin) / 1e6;
    r.study_area_from = "incidents' extent";
  }

  // Window incidents inside each hotspot (hotspots from different layers may overlap).
  std::vector<MultiPolygon> geoms;
  for (const auto& h : hotspots) geoms.push_back(h.geom);
  const PolygonIndex index(geoms);
  std::vector<std::vector<std::size_t>> inside(hotspots.size());
  std::vector<std::int32_t> hits;
  for (std::size_t i : in_window) {
    index.locate_all({inc.x[i], inc.y[i]}, hits);
    for (auto h : hits) inside[static_cast<std::size_t>(h)].push_back(i);
  }

  std::vector<TopHotspot> ranked;
  std::vector<std::size_t> ranked_from;  // index into hotspots
  const double n_window = static_cast<double>(in_window.size());
  for (std::size_t h = 0; h < hotspots.size(); ++h) {
    if (inside[h].empty()) continue;
    TopHotspot t;
    t.id = hotspots[h].id;
    t.source = hotspots[h].source;
    t.layer = hotspots[h].layer;
    t.incidents = static_cast<std::int64_t>(inside[h].size());
    t.share = static_cast<double>(t.incidents) / n_window;
    t.area_km2 = geos.area(geos.from(hotspots[h].geom).get()) / 1e6;
    t.pai =
        t.area_km2 > 0 && r.study_area_km2 > 0 ? t.share / (t.area_km2 / r.study_area_km2) : kNaN;
    ranked.push_back(std::move(t));
    ranked_from.push_back(h);
  }
  r.hotspots_with_incidents = static_cast<std::int64_t>(ranked.size());
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
  for (const auto& mp : communes.geom) commune_geoms.push_back(geos.from(mp));
  for (const auto& mp : zones.geom) zone_geoms.push_back(geos.from(mp));
  std::optional<Transformer> to_lonlat;
  if (!crs.planar()) to_lonlat.emplace(crs, parse_crs("EPSG:4326", "WGS 84"));
  for (std::size_t k = 0; k < order.size(); ++k) {
    TopHotspot t = std::move(ranked[order[k]]);
    const std::size_t h = ranked_from[order[k]];
    const MultiPolygon& mp = hotspots[h].geom;
    t.rank = static_cast<int>(k + 1);

    Geom g = geos.from(mp);
    const Box box = bounds(mp);
    t.communes = meeting_names(geos, g.get(), box, communes, commune_geoms);
    t.industrial_zones = meeting_names(geos, g.get(), box, zones, zone_geoms);

    if (to_lonlat) {
      XY c = centroids({mp}).front();
      to_lonlat->transform(1, &c.x, &c.y);
      t.lon = c.x, t.lat = c.y;
      t.lonlat = mp;
      for (auto& poly : t.lonlat) {
        transform_ring(*to_lonlat, poly.shell);
        for (auto& hole : poly.holes) transform_ring(*to_lonlat, hole);
      }
    }

    // Peak hours and categories of the hotspot's window incidents.
    std::vector<std::int64_t> times;
    std::map<std::uint32_t, std::int64_t> per_category;
    for (std::size_t i : inside[h]) {
      times.push_back(inc.time_utc[i]);
      if (inc.category[i] != Dictionary::kNone) ++per_category[inc.category[i]];
    }
    const std::vector<std::int32_t> all_in_one(times.size(), 0);
    const PeakHours peak =
        peak_hours(week_profiles(times, all_in_one, 1, r.utc_offset_minutes).front());
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
    std::stable_sort(t.categories.begin(), t.categories.end(),
                     [](const CategoryShare& a, const CategoryShare& b) {
                       return a.incidents != b.incidents ? a.incidents > b.incidents
                                                         : a.category < b.category;
                     });
    if (t.categories.size() > 2) t.categories.resize(2);
    r.top.push_back(std::move(t));
  }
  return r;
}

// ---- Renderings ---------------------------------------------------------------------------------

namespace {

std::string printf_str(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string offset_text(int minutes) {
  char buf[16];
  const int a = std::abs(minutes);
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", minutes < 0 ? '-' : '+', a / 60, a % 60);
  return buf;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

std::string percent(double share) { return printf_str("%.1f%%", 100 * share); }

std::string categories_text(const TopHotspot& t) {
  std::vector<std::string> parts;
  for (const auto& c : t.categories) parts.push_back(c.category + " " + percent(c.share));
  return join(parts, ", ");
}

// Rounded for output: the printed value is the shortest text that reads back as this double.
double rounded(double v, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(v * scale) / scale;
}

json number_or_null(double v, int decimals) {
  return std::isnan(v) ? json(nullptr) : json(rounded(v, decimals));
}

json header_json(const TopResult& r) {
  json layers = json::array();
  for (const auto& l : r.layers)
    layers.push_back({{"layer", l.name}, {"source", l.source}, {"hotspots", l.hotspots}});
  auto text_or_null = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
  return {{"file", r.in},
          {"window",
           {{"from", text_or_null(r.from)},
            {"to", text_or_null(r.to)},
            {"hours", text_or_null(r.hours)},
            {"days", r.days.empty() ? json(nullptr) : json(r.days)},
            {"categories", r.categories.empty() ? json(nullptr) : json(r.categories)},
            {"utc_offset", offset_text(r.utc_offset_minutes)},
            {"utc_offset_from", r.utc_offset_from}}},
          {"incidents_total", r.incidents_total},
          {"incidents_in_window", r.incidents_in_window},
          {"incidents_without_time", r.incidents_without_time},
          {"study_area_km2", rounded(r.study_area_km2, 4)},
          {"study_area_from", r.study_area_from},
          {"layers", layers},
          {"hotspots", r.hotspots},
          {"hotspots_with_incidents", r.hotspots_with_incidents},
          {"listed", r.top.size()}};
}

json hotspot_json(const TopHotspot& t) {
  json j = {{"rank", t.rank},
            {"hotspot", t.id},
            {"source", t.source},
            {"layer", t.layer},
            {"incidents", t.incidents},
            {"share", rounded(t.share, 4)},
            {"pai", number_or_null(t.pai, 3)},
            {"area_km2", rounded(t.area_km2, 4)},
            {"lat", number_or_null(t.lat, 6)},
            {"lon", number_or_null(t.lon, 6)},
            {"peak_hours", t.peak_hours.empty() ? json(nullptr) : json(t.peak_hours)},
            {"peak_incidents", t.peak_incidents},
            {"peak_share", rounded(t.peak_share, 4)},
            {"communes", t.communes},
            {"industrial_zones", t.industrial_zones}};
  for (std::size_t k = 0; k < 2; ++k) {
    const std::string key = "category_" + std::to_string(k + 1);
    j[key] = k < t.categories.size() ? json(t.categories[k].category) : json(nullptr);
    j[key + "_share"] =
        k < t.categories.size() ? json(rounded(t.categories[k].share, 4)) : json(nullptr);
  }
  return j;
}

// RFC 4180: quote a field holding a comma, quote or line break; double its quotes.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string csv_number(double v, const char* format) {
  return std::isnan(v) ? "" : printf_str(format, v);
}

// Signed area of a ring in its own units (positive: counter-clockwise).
double signed_area(const Ring& ring) {
  double a = 0;
  for (std::size_t k = 0; k + 1 < ring.size(); ++k)
    a += ring[k].x * ring[k + 1].y - ring[k + 1].x * ring[k].y;
  return a / 2;
}

// RFC 7946: exterior rings counter-clockwise, holes clockwise; positions lon, lat.
json ring_json(const Ring& ring, bool ccw) {
  json out = json::array();
  const bool reverse = (signed_area(ring) > 0) != ccw;
  for (std::size_t k = 0; k < ring.size(); ++k) {
    const XY& p = reverse ? ring[ring.size() - 1 - k] : ring[k];
    out.push_back({rounded(p.x, 7), rounded(p.y, 7)});
  }
  return out;
}

json geometry_json(const TopHotspot& t) {
  if (!t.lonlat.empty()) {
    json polys = json::array();
    for (const auto& p : t.lonlat) {
      json rings = json::array({ring_json(p.shell, true)});
      for (const auto& h : p.holes) rings.push_back(ring_json(h, false));
      polys.push_back(rings);
    }
    return {{"type", "MultiPolygon"}, {"coordinates", polys}};
  }
  if (!std::isnan(t.lon))
    return {{"type", "Point"}, {"coordinates", {rounded(t.lon, 7), rounded(t.lat, 7)}}};
  return nullptr;
}

}  // namespace

std::string format_top_table(const TopResult& r, std::size_t width) {
  std::vector<std::string> lines;
  std::vector<std::string> window;
  window.push_back(!r.from.empty() && !r.to.empty() ? r.from + ".." + r.to
                   : !r.from.empty()                ? "from " + r.from
                   : !r.to.empty()                  ? "up to " + r.to
                                                    : std::string("all dates"));
  window.push_back(r.hours.empty() ? "all day" : r.hours);
  window.push_back(r.days.empty() ? "every day" : join(r.days, ","));
  window.push_back(r.categories.empty() ? "all categories" : join(r.categories, ", "));
  lines.push_back("hotspot top  " + r.in);
  lines.push_back("window     " + join(window, "; "));
  lines.push_back(
      "local time UTC" + offset_text(r.utc_offset_minutes) + " (" +
      (r.utc_offset_from == "run_metadata" ? "recorded in run_metadata" : "--utc-offset") + ")");
  lines.push_back("incidents  " + std::to_string(r.incidents_in_window) + " of " +
                  std::to_string(r.incidents_total) + " in the window" +
                  (r.incidents_without_time
                       ? " (" + std::to_string(r.incidents_without_time) + " without a time)"
                       : "") +
                  "; study area " + printf_str("%.2f", r.study_area_km2) + " km² (" +
                  r.study_area_from + ")");
  std::vector<std::string> layers;
  for (const auto& l : r.layers) layers.push_back(l.name + " " + std::to_string(l.hotspots));
  lines.push_back("hotspots   " + std::to_string(r.hotspots) + " (" + join(layers, ", ") + "), " +
                  std::to_string(r.hotspots_with_incidents) + " with incidents in the window");
  lines.push_back("           Z: KDE hotspot zone; G: touching Gi* hot spot cells (95 %+)");
  lines.push_back("");
  lines.push_back(fit_to_width("#", 3, true) + " " + fit_to_width("hotspot", 8) + " " +
                  fit_to_width("incidents", 9, true) + " " + fit_to_width("share", 6, true) + " " +
                  fit_to_width("PAI", 7, true) + "  " + fit_to_width("peak hours", 11) +
                  "  lat, lon");
  for (const auto& t : r.top) {
    const std::string where =
        std::isnan(t.lat) ? "-" : printf_str("%.5f", t.lat) + ", " + printf_str("%.5f", t.lon);
    lines.push_back(fit_to_width(std::to_string(t.rank), 3, true) + " " + fit_to_width(t.id, 8) +
                    " " + fit_to_width(std::to_string(t.incidents), 9, true) + " " +
                    fit_to_width(percent(t.share), 6, true) + " " +
                    fit_to_width(std::isnan(t.pai) ? "-" : printf_str("%.2f", t.pai), 7, true) +
                    "  " + fit_to_width(t.peak_hours.empty() ? "-" : t.peak_hours, 11) + "  " +
                    where);
    lines.push_back("    communes: " +
                    (t.communes.empty() ? std::string("-") : join(t.communes, ", ")));
    if (!t.industrial_zones.empty())
      lines.push_back("    zones: " + join(t.industrial_zones, ", "));
    lines.push_back("    categories: " +
                    (t.categories.empty() ? std::string("-") : categories_text(t)));
  }
  if (r.incidents_in_window == 0)
    lines.push_back("no incidents matched the window");
  else if (r.top.empty())
    lines.push_back("no hotspot holds an incident of the window");
  std::string out;
  for (const auto& l : lines) out += truncate_to_width(l, width) + "\n";
  return out;
}

std::string format_top_csv(const TopResult& r) {
  std::string out =
      "rank,hotspot,source,layer,incidents,share,pai,area_km2,lat,lon,peak_hours,peak_incidents,"
      "peak_share,communes,industrial_zones,category_1,category_1_share,category_2,"
      "category_2_share\r\n";
  for (const auto& t : r.top) {
    std::vector<std::string> f = {std::to_string(t.rank),
                                  t.id,
                                  t.source,
                                  t.layer,
                                  std::to_string(t.incidents),
                                  csv_number(t.share, "%.4f"),
                                  csv_number(t.pai, "%.3f"),
                                  csv_number(t.area_km2, "%.4f"),
                                  csv_number(t.lat, "%.6f"),
                                  csv_number(t.lon, "%.6f"),
                                  t.peak_hours,
                                  std::to_string(t.peak_incidents),
                                  csv_number(t.peak_share, "%.4f"),
                                  join(t.communes, ", "),
                                  join(t.industrial_zones, ", ")};
    for (std::size_t k = 0; k < 2; ++k) {
      f.push_back(k < t.categories.size() ? t.categories[k].category : "");
      f.push_back(k < t.categories.size() ? csv_number(t.categories[k].share, "%.4f") : "");
    }
    std::string line;
    for (std::size_t k = 0; k < f.size(); ++k) line += (k ? "," : "") + csv_field(f[k]);
    out += line + "\r\n";
  }
  return out;
}

std::string format_top_json(const TopResult& r) {
  json hotspots = json::array();
  for (const auto& t : r.top) hotspots.push_back(hotspot_json(t));
  return json{{"header", header_json(r)}, {"hotspots", hotspots}}.dump(
             2, ' ', false, json::error_handler_t::replace) +
         "\n";
}

std::string format_top_geojson(const TopResult& r) {
  // One feature per line, so that a diff of two outputs reads hotspot by hotspot.
  std::string out = "{\"type\": \"FeatureCollection\", \"features\": [";
  for (std::size_t k = 0; k < r.top.size(); ++k) {
    const json f = {{"type", "Feature"},
                    {"properties", hotspot_json(r.top[k])},
                    {"geometry", geometry_json(r.top[k])}};
    out += (k ? ",\n" : "\n") + f.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  return out + "\n]}\n";
}

}  // namespace hotspot
