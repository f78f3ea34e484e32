#include "hotspot/aggregate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "geom/geos.hpp"
#include "index/polygon_index.hpp"
#include "util/parallel.hpp"

namespace hotspot {

Assignment assign_incidents(const Incidents& inc, const PolygonLayer& communes,
                            const PolygonLayer& zones, int threads) {
  Assignment a;
  const std::size_t n = inc.size();
  a.commune.assign(n, -1);
  a.zone.assign(n, -1);
  PolygonIndex commune_index(communes.geom);
  PolygonIndex zone_index(zones.geom);
  parallel_ranges(n, resolve_threads(threads), [&](std::size_t b, std::size_t e, int) {
    for (std::size_t i = b; i < e; ++i) {
      XY p{inc.x[i], inc.y[i]};
      a.commune[i] = commune_index.locate(p);
      if (zone_index.size()) a.zone[i] = zone_index.locate(p);
    }
  });
  for (auto c : a.commune) a.outside_communes += c < 0;
  return a;
}

CommuneStats commune_stats(const Incidents& inc, const PolygonLayer& communes, const Assignment& a) {
  CommuneStats s;
  const std::size_t nc = communes.size();
  s.n_categories = inc.categories.size();
  s.count.assign(nc, 0);
  s.by_category.assign(nc * s.n_categories, 0);
  for (std::size_t i = 0; i < inc.size(); ++i) {
    auto c = a.commune[i];
    if (c < 0) continue;
    auto cu = static_cast<std::size_t>(c);
    ++s.count[cu];
    if (inc.category[i] != Dictionary::kNone) ++s.by_category[cu * s.n_categories + inc.category[i]];
  }
  Geos geos;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (std::size_t c = 0; c < nc; ++c) {
    double area_km2 = geos.area(geos.from(communes.geom[c]).get()) / 1e6;
    s.area_km2.push_back(area_km2);
    s.per_km2.push_back(area_km2 > 0 ? static_cast<double>(s.count[c]) / area_km2 : nan);
    double pop = communes.population.empty() ? nan : communes.population[c];
    s.per_1000.push_back(pop > 0 ? 1000.0 * static_cast<double>(s.count[c]) / pop : nan);
  }
  return s;
}

std::vector<Overlap> find_overlaps(const PolygonLayer& layer) {
  const std::size_t n = layer.size();
  std::vector<Box> box(n);
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) box[i] = bounds(layer.geom[i]), order[i] = i;
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return box[a].xmin < box[b].xmin; });
  Geos geos;
  std::vector<Geom> g(n);
  std::vector<Overlap> out;
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t i = order[k];
    for (std::size_t m = k + 1; m < n && box[order[m]].xmin <= box[i].xmax; ++m) {
      const std::size_t j = order[m];
      if (!box[i].intersects(box[j])) continue;
      if (!g[i]) g[i] = geos.from(layer.geom[i]);
      if (!g[j]) g[j] = geos.from(layer.geom[j]);
      // Interiors meet: shared edges and corners of a proper tessellation do not count.
      char r = GEOSRelatePattern_r(geos.ctx(), g[i].get(), g[j].get(), "T********");
      if (r != 1) continue;
      double area = geos.area(geos.intersection(g[i].get(), g[j].get()).get()) / 1e6;
      if (area <= 0) continue;
      out.push_back({static_cast<std::int32_t>(std::min(i, j)), static_cast<std::int32_t>(std::max(i, j)), area});
    }
  }
  std::sort(out.begin(), out.end(), [](const Overlap& x, const Overlap& y) { return std::pair(x.a, x.b) < std::pair(y.a, y.b); });
  return out;
}

ZoneStats zone_stats(const Incidents& inc, const PolygonLayer& communes, const PolygonLayer& zones,
                     const Assignment& a, double buffer_m) {
  ZoneStats s;
  const std::size_t nz = zones.size();
  Geos geos;
  std::vector<Geom> zone_g, buffer_g, ring_g, fence_g;
  for (std::size_t z = 0; z < nz; ++z) {
    zone_g.push_back(geos.from(zones.geom[z]));
    buffer_g.push_back(geos.buffer(zone_g[z].get(), buffer_m));
    ring_g.push_back(geos.difference(buffer_g[z].get(), zone_g[z].get()));
    fence_g.push_back(geos.boundary(zone_g[z].get()));
    s.buffer.push_back(geos.to_multipolygon(buffer_g[z].get()));
    double area = geos.area(zone_g[z].get());
    s.area_ha.push_back(area / 1e4);
    s.ring_area_ha.push_back(geos.area(ring_g[z].get()) / 1e4);
  }
  // Links: every commune that meets the zone's buffer (which contains the zone).
  std::vector<Box> commune_box;
  for (const auto& g : communes.geom) commune_box.push_back(bounds(g));
  std::unordered_map<std::int64_t, std::size_t> link_of;  // zone * ncommunes + commune
  for (std::size_t z = 0; z < nz; ++z) {
    Box zb = bounds(s.buffer[z]);
    for (std::size_t c = 0; c < communes.size(); ++c) {
      if (!zb.intersects(commune_box[c])) continue;
      Geom cg = geos.from(communes.geom[c]);
      if (!geos.intersects(cg.get(), buffer_g[z].get())) continue;
      ZoneCommune link;
      link.zone = static_cast<std::int32_t>(z);
      link.commune = static_cast<std::int32_t>(c);
      Geom part = geos.intersection(cg.get(), buffer_g[z].get());
      link.geom = geos.to_multipolygon(part.get());
      if (link.geom.empty()) continue;  // touches at a point or along a line only
      link.shared_area_km2 = geos.area(geos.intersection(cg.get(), zone_g[z].get()).get()) / 1e6;
      link.ring_area_km2 = geos.area(geos.intersection(cg.get(), ring_g[z].get()).get()) / 1e6;
      link.fence_length_m = geos.length(geos.intersection(fence_g[z].get(), cg.get()).get());
      link_of[static_cast<std::int64_t>(z * communes.size() + c)] = s.links.size();
      s.links.push_back(std::move(link));
    }
  }
  // Counts: the buffer contains the zone, so a hit is either inside the zone or in its ring.
  s.count_inside.assign(nz, 0);
  s.count_ring.assign(nz, 0);
  PolygonIndex buffer_index(s.buffer);
  PolygonIndex zone_index(zones.geom);
  std::vector<std::int32_t> hits;
  for (std::size_t i = 0; i < inc.size(); ++i) {
    XY p{inc.x[i], inc.y[i]};
    buffer_index.locate_all(p, hits);
    for (auto z : hits) {
      auto zu = static_cast<std::size_t>(z);
      bool inside = zone_index.contains(z, p);  // per zone, so overlapping zones each count
      bool in_ring = !inside;
      if (inside) ++s.count_inside[zu];
      if (in_ring) ++s.count_ring[zu];
      if (a.commune[i] < 0) continue;
      auto it = link_of.find(static_cast<std::int64_t>(zu * communes.size() + static_cast<std::size_t>(a.commune[i])));
      if (it == link_of.end()) continue;
      if (inside) ++s.links[it->second].incidents_shared;
      if (in_ring) ++s.links[it->second].incidents_ring;
    }
  }
  for (std::size_t z = 0; z < nz; ++z)
    s.per_ha.push_back(s.area_ha[z] > 0 ? static_cast<double>(s.count_inside[z]) / s.area_ha[z]
                                        : std::numeric_limits<double>::quiet_NaN());
  return s;
}

}  // namespace hotspot
