#include "district.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <numbers>
#include <stdexcept>
#include <tuple>

#include "rng.hpp"

namespace datagen {
namespace {

constexpr double kPi = std::numbers::pi;

// Real commune and town names of An Duong, used for the default 20 communes. The polygons are
// NOT their real boundaries.
const char* const kCommuneNames[] = {
    "An Đồng",   "An Hòa",     "An Hưng",   "An Hồng",   "Bắc Sơn",  "Đại Bản", "Đặng Cương",
    "Đồng Thái", "Hồng Phong", "Hồng Thái", "Lê Lợi",    "Lê Thiện", "Nam Sơn", "Quốc Tuấn",
    "Tân Tiến",  "An Dương",   "Lê Chân",   "Hải Thành", "Tân Hưng", "Hòa Bình"};
constexpr int kNamedCommunes = 20;
const char* const kZoneNames[] = {"KCN Tràng Duệ", "KCN Nam Đình Vũ", "KCN An Dương"};

// The default district sits where An Duong is: about 106.61 E, 20.86 N.
constexpr Pt kCentre{589300.0, 2307700.0};
constexpr double kOutlineAspect = 1.3;  // east-west over north-south: ~15 km x 12 km at 20 communes
constexpr int kOutlineVertices = 720;
constexpr int kLloydIterations = 5;
constexpr double kGridM = 0.001;            // the tessellation is snapped to whole millimetres
constexpr double kZoneInsetM = 300;         // zones keep this far inside the outline
constexpr double kZoneGapM = 500;           // and this far from each other
constexpr double kZone1MinOverlapM2 = 1e5;  // 10 ha of each of its four communes
constexpr double kZone1ClearanceM = 25;     // any fifth commune is at least this far away
constexpr double kNotchWidth = 0.3, kNotchDepth = 0.25;  // fractions of the zone's w and h

int digits(long n) {
  int d = 1;
  while (n >= 10) {
    n /= 10;
    ++d;
  }
  return d;
}

std::string numbered(const char* prefix, long n, int width) {
  std::string num = std::to_string(n);
  if (static_cast<int>(num.size()) < width)
    num.insert(0, static_cast<std::size_t>(width) - num.size(), '0');
  return prefix + num;
}

// A smooth, irregular, star-shaped outline: an ellipse whose radius is modulated by a few low
// harmonics, scaled to the wanted area and put on the millimetre grid.
Ring make_outline(Rng& rng, Pt c, double area_m2) {
  double amp[7] = {}, phase[7] = {};
  const double lo[7] = {0, 0, 0.05, 0.03, 0.02, 0.01, 0.005};
  const double hi[7] = {0, 0, 0.09, 0.07, 0.045, 0.03, 0.015};
  for (int k = 2; k <= 6; ++k) {
    amp[k] = rng.uniform(lo[k], hi[k]);
    phase[k] = rng.uniform(0, 2 * kPi);
  }
  const double tilt = rng.uniform(-0.25, 0.25);
  Ring unit;
  for (int i = 0; i < kOutlineVertices; ++i) {
    const double t = 2 * kPi * i / kOutlineVertices;
    double r = 1;
    for (int k = 2; k <= 6; ++k) r += amp[k] * std::cos(k * t + phase[k]);
    const double lx = kOutlineAspect * r * std::cos(t), ly = r * std::sin(t);
    unit.push_back(
        {lx * std::cos(tilt) - ly * std::sin(tilt), lx * std::sin(tilt) + ly * std::cos(tilt)});
  }
  unit.push_back(unit.front());
  const double s = std::sqrt(area_m2 / ring_area_m2(unit));
  Ring out;
  for (const Pt& p : unit) out.push_back({snap_mm(c.x + s * p.x), snap_mm(c.y + s * p.y)});
  out.back() = out.front();
  return out;
}

GeomPtr box_polygon(const Geos& g, double x0, double y0, double x1, double y1) {
  return g.polygon({{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}});
}

// Lloyd relaxation: move each seed to the centroid of its cell clipped to the outline. A few
// rounds even out the commune sizes (most land at 5-8 km2) while keeping them irregular.
std::vector<Pt> relax(const Geos& g, std::vector<Pt> seeds, const GEOSGeometry* outline,
                      const GEOSPreparedGeometry* outline_prep, const PointInRings& inside,
                      const GEOSGeometry* env) {
  for (int it = 0; it < kLloydIterations; ++it) {
    auto sites = g.multipoint(seeds);
    auto diagram = g.own(GEOSVoronoiDiagram_r(g.h(), sites.get(), env, 0.0, 0), "Voronoi");
    auto cells = g.polygons(diagram.get());
    if (cells.size() != seeds.size()) throw std::runtime_error("Voronoi lost a seed");
    std::vector<Pt> next;
    next.reserve(seeds.size());
    for (const auto& cell : cells) {
      GeomPtr clipped;
      const GEOSGeometry* region = cell.get();
      if (!GEOSPreparedContains_r(g.h(), outline_prep, region)) {
        clipped = g.own(GEOSIntersection_r(g.h(), region, outline), "clip cell");
        region = clipped.get();
      }
      Pt c = g.xy(g.own(GEOSGetCentroid_r(g.h(), region), "centroid").get());
      if (!inside.contains(c)) c = g.xy(g.own(GEOSPointOnSurface_r(g.h(), region), "pos").get());
      next.push_back(c);
    }
    seeds = std::move(next);
  }
  return seeds;
}

struct Tessellation {
  std::vector<std::vector<GeomPtr>> faces;  // per seed
  std::vector<Pt> voronoi_vertices;         // endpoints of the Voronoi edges
};

// Voronoi edges and the outline are noded together in one snap-rounded union, then polygonized:
// a boundary between two communes is one noded edge, so both communes carry exactly the same
// vertices. (Clipping each cell on its own would compute every crossing with the outline twice,
// and the two results need not agree to the last bit.)
Tessellation tessellate(const Geos& g, const std::vector<Pt>& seeds, const Ring& outline,
                        const PointInRings& inside, const GEOSGeometry* env) {
  Tessellation t;
  auto sites = g.multipoint(seeds);
  auto edges = g.own(GEOSVoronoiDiagram_r(g.h(), sites.get(), env, 0.0, 1), "Voronoi edges");
  for (const auto& l : g.lines(edges.get()))
    for (const Pt& p : l) t.voronoi_vertices.push_back(p);
  std::vector<GeomPtr> parts;
  parts.push_back(std::move(edges));
  parts.push_back(g.line(outline));
  auto linework = g.collection(GEOS_GEOMETRYCOLLECTION, std::move(parts));
  auto noded = g.own(GEOSUnaryUnionPrec_r(g.h(), linework.get(), kGridM), "noding");
  const GEOSGeometry* input[] = {noded.get()};
  auto faces = g.own(GEOSPolygonize_r(g.h(), input, 1), "polygonize");

  t.faces.resize(seeds.size());
  for (auto& face : g.polygons(faces.get())) {
    const Pt p = g.xy(g.own(GEOSPointOnSurface_r(g.h(), face.get()), "pos").get());
    if (!inside.contains(p)) continue;  // between the outline and the frame of the diagram
    // A face is (part of) one Voronoi cell, so its seed is the seed nearest to any inner point.
    std::size_t best = 0;
    double best_d = INFINITY;
    for (std::size_t i = 0; i < seeds.size(); ++i) {
      const double dx = seeds[i].x - p.x, dy = seeds[i].y - p.y, d = dx * dx + dy * dy;
      if (d < best_d) {
        best_d = d;
        best = i;
      }
    }
    t.faces[best].push_back(std::move(face));
  }
  return t;
}

// Every boundary segment must be used by exactly two communes, or by one if it lies on the
// outline. That is the "shared edges are identical" promise the engine relies on.
void check_shared_edges(const Geos& g, const std::vector<Commune>& communes, const Ring& outline) {
  std::map<std::tuple<double, double, double, double>, int> uses;
  for (const Commune& c : communes) {
    for (const Ring& r : g.rings(c.geom.get())) {
      for (std::size_t i = 0; i + 1 < r.size(); ++i) {
        Pt a = r[i], b = r[i + 1];
        if (std::tie(b.x, b.y) < std::tie(a.x, a.y)) std::swap(a, b);
        ++uses[{a.x, a.y, b.x, b.y}];
      }
    }
  }
  auto boundary = g.line(outline);
  for (const auto& [seg, n] : uses) {
    if (n == 2) continue;
    const Pt mid{(std::get<0>(seg) + std::get<2>(seg)) / 2,
                 (std::get<1>(seg) + std::get<3>(seg)) / 2};
    if (n == 1 && g.distance(g.point(mid).get(), boundary.get()) < 0.01) continue;
    char msg[160];
    std::snprintf(msg, sizeof msg, "tessellation check: segment at (%.3f, %.3f) used %d times",
                  mid.x, mid.y, n);
    throw std::runtime_error(msg);
  }
}

struct ZoneShape {
  Pt c;
  double area_m2 = 0, aspect = 1.25, angle = 0, notch_at = 0.5;
};

// A rotated rectangle with a rectangular notch cut into one long side; its two gates sit on the
// other sides.
Ring zone_ring(const ZoneShape& s, std::array<Pt, 2>* gates) {
  const double h = std::sqrt(s.area_m2 / (s.aspect * (1 - kNotchWidth * kNotchDepth)));
  const double w = s.aspect * h;
  const double nx = (s.notch_at - 0.5) * w, nw = kNotchWidth * w, nd = kNotchDepth * h;
  const Pt local[] = {{-w / 2, -h / 2},     {w / 2, -h / 2},           {w / 2, h / 2},
                      {nx + nw / 2, h / 2}, {nx + nw / 2, h / 2 - nd}, {nx - nw / 2, h / 2 - nd},
                      {nx - nw / 2, h / 2}, {-w / 2, h / 2},           {-w / 2, -h / 2}};
  const double ca = std::cos(s.angle), sa = std::sin(s.angle);
  auto place = [&](Pt p) { return Pt{s.c.x + p.x * ca - p.y * sa, s.c.y + p.x * sa + p.y * ca}; };
  Ring r;
  for (const Pt& p : local) r.push_back(place(p));
  if (gates) *gates = {place({-0.2 * w, -h / 2}), place({w / 2, 0.1 * h})};
  return r;
}

double round7(double v) { return std::round(v * 1e7) / 1e7; }

// The zone as a reader of zones.geojson will see it: lon/lat rounded to the 7 decimals the
// GeoJSON driver writes, then projected back to metres.
Zone as_written(Projector& proj, const Ring& metres) {
  Zone z;
  std::vector<double> x, y;
  for (const Pt& p : metres) {
    x.push_back(p.x);
    y.push_back(p.y);
  }
  proj.to_lonlat(x, y);
  for (std::size_t i = 0; i < x.size(); ++i) {
    x[i] = round7(x[i]);
    y[i] = round7(y[i]);
    z.lonlat.push_back({x[i], y[i]});
  }
  proj.to_metres(x, y);
  for (std::size_t i = 0; i < x.size(); ++i) z.metres.push_back({x[i], y[i]});
  z.lonlat.back() = z.lonlat.front();
  z.metres.back() = z.metres.front();
  z.area_m2 = ring_area_m2(z.metres);
  return z;
}

struct CommuneIndex {
  std::vector<PreparedPtr> prep;
  std::vector<std::array<double, 4>> box;
};

std::vector<std::size_t> touching(const Geos& g, const CommuneIndex& idx,
                                  const GEOSGeometry* geom) {
  double x0, y0, x1, y1;
  GEOSGeom_getXMin_r(g.h(), geom, &x0);
  GEOSGeom_getYMin_r(g.h(), geom, &y0);
  GEOSGeom_getXMax_r(g.h(), geom, &x1);
  GEOSGeom_getYMax_r(g.h(), geom, &y1);
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < idx.prep.size(); ++i) {
    const auto& b = idx.box[i];
    if (b[0] > x1 || b[2] < x0 || b[1] > y1 || b[3] < y0) continue;
    if (GEOSPreparedIntersects_r(g.h(), idx.prep[i].get(), geom) == 1) out.push_back(i);
  }
  return out;
}

std::string zone_name(int i) {
  if (i < 3) return kZoneNames[i];
  return numbered("KCN Tổng hợp ", i + 1, 2);
}

}  // namespace

District build_district(const Geos& g, Projector& proj, const DistrictOptions& opt) {
  if (opt.communes < 4) throw std::invalid_argument("--communes must be at least 4");
  if (opt.zones < 1) throw std::invalid_argument("--zones must be at least 1");
  District d;
  d.centre = kCentre;
  const std::size_t n = static_cast<std::size_t>(opt.communes);

  // Outline: the district grows with the number of communes so each stays ~6.5 km2.
  Rng outline_rng(opt.seed, "outline");
  d.outline = make_outline(outline_rng, kCentre, kMeanCommuneAreaM2 * opt.communes);
  const PointInRings inside({d.outline});
  auto outline_poly = g.polygon(d.outline);
  auto outline_prep = g.prepare(outline_poly.get());
  {
    auto inner = g.own(GEOSBuffer_r(g.h(), outline_poly.get(), -kInnerMarginM, 8), "inset");
    d.inner = PointInRings(g.rings(inner.get()), 512);
  }
  const double pad = 0.25 * (inside.xmax() - inside.xmin());
  auto env = box_polygon(g, inside.xmin() - pad, inside.ymin() - pad, inside.xmax() + pad,
                         inside.ymax() + pad);

  // Communes: relaxed random seeds, a Voronoi tessellation noded with the outline.
  Rng seed_rng(opt.seed, "communes");
  std::vector<Pt> seeds;
  while (seeds.size() < n) {
    const Pt p{seed_rng.uniform(inside.xmin(), inside.xmax()),
               seed_rng.uniform(inside.ymin(), inside.ymax())};
    if (inside.contains(p)) seeds.push_back(p);
  }
  seeds = relax(g, std::move(seeds), outline_poly.get(), outline_prep.get(), inside, env.get());
  Tessellation t = tessellate(g, seeds, d.outline, inside, env.get());

  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  // Ids run north to south, then west to east, as a reader scanning the map would number them.
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::tie(seeds[b].y, seeds[a].x) < std::tie(seeds[a].y, seeds[b].x);
  });
  Rng pop_rng(opt.seed, "population");
  const int id_width = std::max(2, digits(opt.communes));
  const int name_width = std::max(4, digits(opt.communes));
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t i = order[k];
    if (t.faces[i].empty()) throw std::runtime_error("tessellation: a commune has no polygon");
    Commune c;
    c.id = numbered("AD", static_cast<long>(k + 1), id_width);
    c.name = opt.communes <= kNamedCommunes
                 ? kCommuneNames[k]
                 : numbered("Xã Tổng hợp ", static_cast<long>(k + 1), name_width);
    c.population = 5000 + 10 * static_cast<int>(pop_rng.below(2501));
    c.seed = seeds[i];
    if (t.faces[i].size() == 1) {
      c.geom = std::move(t.faces[i][0]);
    } else {
      c.geom = g.collection(GEOS_MULTIPOLYGON, std::move(t.faces[i]));
      if (GEOSisValid_r(g.h(), c.geom.get()) != 1)  // parts sharing an edge: merge them
        c.geom = g.own(GEOSUnaryUnionPrec_r(g.h(), c.geom.get(), kGridM), "merge parts");
    }
    if (GEOSisValid_r(g.h(), c.geom.get()) != 1)
      throw std::runtime_error("tessellation: commune " + c.id + " is not valid");
    c.area_m2 = g.area(c.geom.get());
    c.pip = PointInRings(g.rings(c.geom.get()), 16);
    d.outline_area_m2 += c.area_m2;
    d.communes.push_back(std::move(c));
  }
  check_shared_edges(g, d.communes, d.outline);

  CommuneIndex idx;
  for (const Commune& c : d.communes) {
    idx.prep.push_back(g.prepare(c.geom.get()));
    idx.box.push_back({c.pip.xmin(), c.pip.ymin(), c.pip.xmax(), c.pip.ymax()});
  }

  // Zones stay clear of the outline so that their gate clusters are mostly inside it.
  auto zone_room = g.own(GEOSBuffer_r(g.h(), outline_poly.get(), -kZoneInsetM, 8), "zone inset");
  auto zone_room_prep = g.prepare(zone_room.get());
  const PointInRings zone_room_pip(g.rings(zone_room.get()), 256);

  // Zone 1: 401 ha across exactly four communes. Candidates are Voronoi vertices (where three
  // communes meet), nearest the centre first, each tried with a few shifts and rotations.
  {
    std::vector<Pt> verts;
    for (const Pt& p : t.voronoi_vertices)
      if (zone_room_pip.contains(p)) verts.push_back(p);
    auto key = [&](const Pt& p) {
      const double dx = p.x - kCentre.x, dy = p.y - kCentre.y;
      return std::make_tuple(dx * dx + dy * dy, p.x, p.y);
    };
    std::sort(verts.begin(), verts.end(),
              [&](const Pt& a, const Pt& b) { return key(a) < key(b); });
    verts.erase(std::unique(verts.begin(), verts.end(),
                            [](const Pt& a, const Pt& b) { return a.x == b.x && a.y == b.y; }),
                verts.end());
    std::vector<Pt> shifts;
    for (int i = -2; i <= 2; ++i)
      for (int j = -2; j <= 2; ++j) shifts.push_back({250.0 * i, 250.0 * j});
    std::stable_sort(shifts.begin(), shifts.end(), [](const Pt& a, const Pt& b) {
      return a.x * a.x + a.y * a.y < b.x * b.x + b.y * b.y;
    });
    bool placed = false;
    for (std::size_t v = 0; v < verts.size() && !placed; ++v) {
      for (const Pt& s : shifts) {
        for (int a = 0; a < 6 && !placed; ++a) {
          ZoneShape shape{
              {verts[v].x + s.x, verts[v].y + s.y}, kZone1AreaM2, 1.25, kPi * a / 6, 0.35};
          std::array<Pt, 2> gates;
          Zone z = as_written(proj, zone_ring(shape, &gates));
          auto poly = g.polygon(z.metres);
          if (GEOSPreparedContains_r(g.h(), zone_room_prep.get(), poly.get()) != 1) continue;
          auto halo = g.own(GEOSBuffer_r(g.h(), poly.get(), kZone1ClearanceM, 8), "halo");
          auto hits = touching(g, idx, halo.get());
          if (hits.size() != 4) continue;
          bool substantial = true;
          for (std::size_t i : hits) {
            auto part =
                g.own(GEOSIntersection_r(g.h(), poly.get(), d.communes[i].geom.get()), "overlap");
            if (g.area(part.get()) <= kZone1MinOverlapM2) substantial = false;
          }
          if (!substantial) continue;
          z.gates = gates;
          for (std::size_t i : hits) z.communes.push_back(d.communes[i].id);
          d.zones.push_back(std::move(z));
          placed = true;
        }
        if (placed) break;
      }
    }
    if (!placed)
      throw std::runtime_error(
          "no place for zone 1 across exactly four communes; try another --seed");
  }

  // The other zones: 100-300 ha, anywhere with room, apart from each other.
  Rng zone_rng(opt.seed, "zones");
  std::vector<GeomPtr> placed;
  placed.push_back(g.polygon(d.zones[0].metres));
  for (int zi = 1; zi < opt.zones; ++zi) {
    bool ok = false;
    for (int attempt = 0; attempt < 100000 && !ok; ++attempt) {
      ZoneShape shape;
      shape.c = {zone_rng.uniform(zone_room_pip.xmin(), zone_room_pip.xmax()),
                 zone_rng.uniform(zone_room_pip.ymin(), zone_room_pip.ymax())};
      shape.area_m2 = zone_rng.uniform(1e6, 3e6);
      shape.aspect = zone_rng.uniform(1.2, 1.8);
      shape.angle = zone_rng.uniform(0, kPi);
      shape.notch_at = zone_rng.uniform(0.3, 0.7);
      if (!zone_room_pip.contains(shape.c)) continue;
      std::array<Pt, 2> gates;
      Zone z = as_written(proj, zone_ring(shape, &gates));
      auto poly = g.polygon(z.metres);
      if (GEOSPreparedContains_r(g.h(), zone_room_prep.get(), poly.get()) != 1) continue;
      bool apart = true;
      for (const auto& other : placed)
        if (g.distance(poly.get(), other.get()) < kZoneGapM) apart = false;
      if (!apart) continue;
      z.gates = gates;
      for (std::size_t i : touching(g, idx, poly.get())) z.communes.push_back(d.communes[i].id);
      placed.push_back(std::move(poly));
      d.zones.push_back(std::move(z));
      ok = true;
    }
    if (!ok)
      throw std::runtime_error("no room for zone " + std::to_string(zi + 1) +
                               "; ask for fewer --zones or more --communes");
  }
  const int zone_width = std::max(2, digits(opt.zones));
  for (std::size_t i = 0; i < d.zones.size(); ++i) {
    d.zones[i].id = numbered("KCN", static_cast<long>(i + 1), zone_width);
    d.zones[i].name = zone_name(static_cast<int>(i));
  }

  // Roads: a few long gently curving lines across the district, clipped to it.
  Rng road_rng(opt.seed, "roads");
  const int roads =
      std::clamp(static_cast<int>(std::lround(1.5 * std::sqrt(opt.communes / 20.0))), 3, 30);
  const double radius = std::sqrt(d.outline_area_m2 / kPi);
  double reach = 0;
  for (const Pt& p : d.outline)
    reach = std::max(reach, std::hypot(p.x - kCentre.x, p.y - kCentre.y));
  const double base = road_rng.uniform(0, kPi);
  const double spread = roads <= 3 ? 0.5 : 0.85;
  // Directions and offsets are both spread out, and paired at random: the roads neither run
  // parallel nor all meet in one spot.
  std::vector<int> slot(static_cast<std::size_t>(roads));
  for (int r = 0; r < roads; ++r) slot[static_cast<std::size_t>(r)] = r;
  for (std::size_t i = slot.size() - 1; i > 0; --i) std::swap(slot[i], slot[road_rng.below(i + 1)]);
  for (int r = 0; r < roads; ++r) {
    const double ang = base + kPi * r / roads + road_rng.uniform(-0.15, 0.15);
    const double off = spread * radius *
                       (2 * (slot[static_cast<std::size_t>(r)] + road_rng.uniform()) / roads - 1);
    const double amp = road_rng.uniform(0.02, 0.05) * radius, freq = road_rng.uniform(1.0, 2.5);
    const double phase = road_rng.uniform(0, 2 * kPi);
    const Pt dir{std::cos(ang), std::sin(ang)}, nrm{-dir.y, dir.x};
    std::vector<Pt> pts;
    constexpr int kSteps = 48;
    for (int k = 0; k <= kSteps; ++k) {
      const double along = reach * (-1.2 + 2.4 * k / kSteps);
      const double side = off + amp * std::sin(2 * kPi * freq * k / kSteps + phase);
      pts.push_back(
          {kCentre.x + along * dir.x + side * nrm.x, kCentre.y + along * dir.y + side * nrm.y});
    }
    auto line = g.line(pts);
    auto clipped = g.own(GEOSIntersection_r(g.h(), line.get(), outline_poly.get()), "clip road");
    for (auto& piece : g.lines(clipped.get())) {
      Road road;
      road.pts = std::move(piece);
      double acc = 0;
      for (std::size_t i = 0; i < road.pts.size(); ++i) {
        if (i > 0)
          acc += std::hypot(road.pts[i].x - road.pts[i - 1].x, road.pts[i].y - road.pts[i - 1].y);
        road.cum_m.push_back(acc);
      }
      if (road.length_m() >= 500) d.roads.push_back(std::move(road));
    }
  }
  if (d.roads.empty()) throw std::runtime_error("no road crosses the district");
  return d;
}

}  // namespace datagen
