// DBSCAN by tiles (hotspot/distribute.hpp): one tile's part on the site grid of dbscan.cpp, and
// the merge of the parts. A tile owns whole locations and holds every point within eps of its
// box besides (the halo), so it counts the neighbourhood of each of its own sites exactly and
// knows which of them are core. What it cannot know is whether a halo point is core (its
// neighbourhood reaches beyond the halo); so the links and border candidates that reach into the
// halo are returned as candidates, and the merge, which has every tile's core flags, keeps a
// link only between two core points and a border candidate only when it is core. Merging on
// shared non-core points (as MR-DBSCAN does) would chain clusters that DBSCAN keeps apart.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "cluster/grid.hpp"
#include "cluster/labels.hpp"
#include "hotspot/distribute.hpp"
#include "hotspot/error.hpp"
#include "util/parallel.hpp"

namespace hotspot {

using namespace cluster_detail;

void ClusterTilePart::append(const ClusterTilePart& o) {
  auto cat = [](auto& a, const auto& b) { a.insert(a.end(), b.begin(), b.end()); };
  cat(point, o.point);
  cat(core, o.core);
  cat(link, o.link);
  cat(link_d2, o.link_d2);
  cat(halo_component, o.halo_component);
  cat(halo_point, o.halo_point);
  cat(cand_point, o.cand_point);
  cat(cand_core, o.cand_core);
  cat(cand_d2, o.cand_d2);
}

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// The engine's tie rule for a border point's core: nearer, or as near with a lower index.
inline bool nearer(double d2, std::int64_t j, double best_d2, std::int64_t best_j) {
  return d2 < best_d2 || (d2 == best_d2 && j < best_j);
}

}  // namespace

ClusterTilePart dbscan_tile(std::span<const double> x, std::span<const double> y,
                            std::span<const std::int64_t> index, std::size_t owned,
                            const DbscanOptions& opt) {
  const std::size_t n = x.size();
  if (y.size() != n || index.size() != n || owned > n)
    throw InternalError("dbscan_tile: column lengths differ or more owned points than points");
  check_min_points(opt.min_points);
  const int threads = resolve_threads(opt.threads);
  const SiteGrid g = build_site_grid(x, y, opt.eps, "dbscan");
  const double eps2 = opt.eps * opt.eps;
  const std::size_t ncell = g.cells(), nsite = g.sx.size();
  const auto min_points = static_cast<std::int64_t>(opt.min_points);

  // Sites: owned or halo, the lowest global index at each (dbscan's `rep`), and their cells.
  std::vector<std::uint8_t> site_owned(nsite, 2);  // 2: not seen yet
  std::vector<std::int64_t> grep(nsite, std::numeric_limits<std::int64_t>::max());
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t s = g.site_of[i];
    const std::uint8_t own = i < owned ? 1 : 0;
    if (site_owned[s] == 2)
      site_owned[s] = own;
    else if (site_owned[s] != own)
      throw InternalError("dbscan_tile: a location is both owned and in the halo");
    grep[s] = std::min(grep[s], index[i]);
  }
  std::vector<std::uint32_t> site_cell(nsite);
  for (std::size_t c = 0; c < ncell; ++c)
    for (std::uint32_t s = g.start[c]; s < g.start[c + 1]; ++s) site_cell[s] = static_cast<std::uint32_t>(c);

  // Core flags of the owned sites, counted as dbscan() counts them (with multiplicity).
  // cell_core: the cell holds an owned core site.
  std::vector<std::uint8_t> site_core(nsite, 0), cell_core(ncell, 0);
  parallel_ranges(ncell, threads, [&](std::size_t b, std::size_t e, int) {
    SiteGrid::Cursor cursor(g);
    std::uint32_t nbs[25];
    for (std::size_t c = b; c < e; ++c) {
      std::size_t nn = 0;
      bool listed = false;
      for (std::uint32_t s = g.start[c]; s < g.start[c + 1]; ++s) {
        if (!site_owned[s]) continue;
        std::int64_t count = g.count[c];  // every point of the cell is within eps
        if (count < min_points && !listed) {
          nn = cursor.neighbours(c, nbs);
          listed = true;
        }
        const double px = g.sx[s], py = g.sy[s];
        for (std::size_t k = 0; k < nn && count < min_points; ++k) {
          const std::size_t nb = nbs[k];
          if (nb == c || g.box_d2(nb, px, py) > eps2) continue;
          if (g.far_d2(nb, px, py) <= eps2) {
            count += g.count[nb];
            continue;
          }
          for (std::uint32_t t = g.start[nb]; t < g.start[nb + 1] && count < min_points; ++t)
            if (within(px, py, g.sx[t], g.sy[t], eps2)) count += g.mult[t];
        }
        if (count >= min_points) site_core[s] = cell_core[c] = 1;
      }
    }
  });

  // The tile's own components: owned core sites of one cell are within eps of each other; two
  // cells join when one pair of their owned core sites is within eps.
  UnionFind uf(ncell);
  {
    SiteGrid::Cursor cursor(g);
    std::uint32_t nbs[25];
    for (std::size_t c = 0; c < ncell; ++c) {
      if (!cell_core[c]) continue;
      const std::size_t nn = cursor.neighbours(c, nbs);
      for (std::size_t k = 0; k < nn; ++k) {
        const std::size_t nb = nbs[k];
        if (nb <= c || !cell_core[nb] ||
            uf.find(static_cast<std::uint32_t>(c)) == uf.find(static_cast<std::uint32_t>(nb)))
          continue;
        [&] {
          for (std::uint32_t s = g.start[c]; s < g.start[c + 1]; ++s) {
            if (!site_core[s] || g.box_d2(nb, g.sx[s], g.sy[s]) > eps2) continue;
            for (std::uint32_t u = g.start[nb]; u < g.start[nb + 1]; ++u)
              if (site_core[u] && within(g.sx[s], g.sy[s], g.sx[u], g.sy[u], eps2)) {
                uf.unite(static_cast<std::uint32_t>(c), static_cast<std::uint32_t>(nb));
                return;
              }
          }
        }();
      }
    }
  }
  // Each component is named by the lowest global index of its core points.
  std::vector<std::int64_t> component(ncell, -1);
  for (std::size_t c = 0; c < ncell; ++c) {
    if (!cell_core[c]) continue;
    auto& name = component[uf.find(static_cast<std::uint32_t>(c))];
    for (std::uint32_t s = g.start[c]; s < g.start[c + 1]; ++s)
      if (site_core[s] && (name < 0 || grep[s] < name)) name = grep[s];
  }
  auto component_of_cell = [&](std::size_t c) { return component[uf.find(static_cast<std::uint32_t>(c))]; };

  ClusterTilePart out;
  // Links into the halo: each halo site within eps of an owned core site, once per component.
  {
    std::uint32_t nbs[25];
    std::vector<std::int64_t> met;
    for (std::uint32_t u = 0; u < nsite; ++u) {
      if (site_owned[u]) continue;
      const double px = g.sx[u], py = g.sy[u];
      const std::size_t nn = g.neighbours(site_cell[u], nbs);
      met.clear();
      for (std::size_t k = 0; k < nn; ++k) {
        const std::size_t nb = nbs[k];
        if (!cell_core[nb] || g.box_d2(nb, px, py) > eps2) continue;
        for (std::uint32_t v = g.start[nb]; v < g.start[nb + 1]; ++v)
          if (site_core[v] && within(px, py, g.sx[v], g.sy[v], eps2)) {
            met.push_back(component_of_cell(nb));
            break;
          }
      }
      std::sort(met.begin(), met.end());
      met.erase(std::unique(met.begin(), met.end()), met.end());
      for (const std::int64_t m : met) {
        out.halo_component.push_back(m);
        out.halo_point.push_back(grep[u]);
      }
    }
  }

  // Owned non-core sites: the nearest owned core site, and the halo sites within eps (any of
  // them may turn out core; a non-core site has fewer than min_points neighbours).
  std::vector<std::int64_t> near(nsite, -1);
  std::vector<double> near_d2(nsite, kInf);
  std::vector<std::uint32_t> cand_start(nsite + 1, 0);
  std::vector<std::int64_t> cand_j;
  std::vector<double> cand_d;
  {
    std::uint32_t nbs[25];
    for (std::uint32_t s = 0; s < nsite; ++s) {
      cand_start[s] = static_cast<std::uint32_t>(cand_j.size());
      if (!site_owned[s] || site_core[s]) continue;
      const double px = g.sx[s], py = g.sy[s];
      const std::size_t nn = g.neighbours(site_cell[s], nbs);
      for (std::size_t k = 0; k < nn; ++k) {
        const std::size_t nb = nbs[k];
        if (g.box_d2(nb, px, py) > eps2) continue;
        for (std::uint32_t v = g.start[nb]; v < g.start[nb + 1]; ++v) {
          const double dx = px - g.sx[v], dy = py - g.sy[v], d2 = dx * dx + dy * dy;
          if (d2 > eps2) continue;
          if (!site_owned[v]) {
            cand_j.push_back(grep[v]);
            cand_d.push_back(d2);
          } else if (site_core[v] && nearer(d2, grep[v], near_d2[s], near[s])) {
            near[s] = grep[v];
            near_d2[s] = d2;
          }
        }
      }
    }
    cand_start[nsite] = static_cast<std::uint32_t>(cand_j.size());
  }

  out.point.assign(index.begin(), index.begin() + static_cast<std::ptrdiff_t>(owned));
  out.core.resize(owned);
  out.link.resize(owned);
  out.link_d2.resize(owned);
  for (std::size_t i = 0; i < owned; ++i) {
    const std::uint32_t s = g.site_of[i];
    out.core[i] = site_core[s];
    if (site_core[s]) {
      out.link[i] = component_of_cell(site_cell[s]);
      out.link_d2[i] = 0;
      continue;
    }
    out.link[i] = near[s];
    out.link_d2[i] = near_d2[s];
    for (std::uint32_t k = cand_start[s]; k < cand_start[s + 1]; ++k)
      if (nearer(cand_d[k], cand_j[k], near_d2[s], near[s])) {
        out.cand_point.push_back(index[i]);
        out.cand_core.push_back(cand_j[k]);
        out.cand_d2.push_back(cand_d[k]);
      }
  }
  return out;
}

Clustering merge_cluster_tiles(std::size_t n, const ClusterTilePart& p) {
  const std::size_t m = p.point.size();
  if (p.core.size() != m || p.link.size() != m || p.link_d2.size() != m ||
      p.halo_component.size() != p.halo_point.size() || p.cand_point.size() != p.cand_core.size() ||
      p.cand_d2.size() != p.cand_point.size())
    throw InternalError("merge_cluster_tiles: the parts' columns differ in length");
  if (n >= 0xffffffffu) throw InternalError("merge_cluster_tiles: more than 4e9 points");
  const auto in_range = [n](std::int64_t i) { return i >= 0 && static_cast<std::uint64_t>(i) < n; };
  std::vector<std::uint8_t> core(n, 0), seen(n, 0);
  for (std::size_t k = 0; k < m; ++k) {
    const std::int64_t i = p.point[k];
    if (!in_range(i) || seen[static_cast<std::size_t>(i)])
      throw InternalError("merge_cluster_tiles: point " + std::to_string(i) + " out of range or owned twice");
    seen[static_cast<std::size_t>(i)] = 1;
    core[static_cast<std::size_t>(i)] = p.core[k] ? 1 : 0;
  }
  if (m != n) throw InternalError("merge_cluster_tiles: " + std::to_string(n - m) + " points owned by no tile");

  // Components: each core point with its tile component, and the halo links between cores.
  UnionFind uf(n);
  std::vector<std::int64_t> best(n, -1);
  std::vector<double> best_d2(n, kInf);
  for (std::size_t k = 0; k < m; ++k) {
    const auto i = static_cast<std::size_t>(p.point[k]);
    const std::int64_t l = p.link[k];
    if (l >= 0 && (!in_range(l) || !core[static_cast<std::size_t>(l)]))
      throw InternalError("merge_cluster_tiles: point " + std::to_string(i) + " linked to a non-core point");
    if (core[i]) {
      if (l < 0) throw InternalError("merge_cluster_tiles: core point without a component");
      uf.unite(static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(l));
    } else {
      best[i] = l;
      best_d2[i] = p.link_d2[k];
    }
  }
  for (std::size_t k = 0; k < p.halo_point.size(); ++k) {
    const std::int64_t a = p.halo_component[k], b = p.halo_point[k];
    if (!in_range(a) || !in_range(b) || !core[static_cast<std::size_t>(a)])
      throw InternalError("merge_cluster_tiles: a halo link out of range or from a non-core point");
    if (core[static_cast<std::size_t>(b)]) uf.unite(static_cast<std::uint32_t>(a), static_cast<std::uint32_t>(b));
  }
  // Border points: the nearest core point over the tile's own and the halo's candidates.
  for (std::size_t k = 0; k < p.cand_point.size(); ++k) {
    const std::int64_t i = p.cand_point[k], j = p.cand_core[k];
    if (!in_range(i) || !in_range(j) || core[static_cast<std::size_t>(i)])
      throw InternalError("merge_cluster_tiles: a border candidate out of range or of a core point");
    const auto ii = static_cast<std::size_t>(i);
    if (core[static_cast<std::size_t>(j)] && nearer(p.cand_d2[k], j, best_d2[ii], best[ii])) {
      best[ii] = j;
      best_d2[ii] = p.cand_d2[k];
    }
  }
  std::vector<std::int64_t> raw(n, -1);
  for (std::size_t i = 0; i < n; ++i) {
    if (core[i])
      raw[i] = uf.find(static_cast<std::uint32_t>(i));
    else if (best[i] >= 0)
      raw[i] = uf.find(static_cast<std::uint32_t>(best[i]));
  }
  Clustering out;
  number_clusters(raw, out);
  out.core = std::move(core);
  return out;
}

Clustering dbscan(std::span<const double> x, std::span<const double> y, const DbscanOptions& opt,
                  const DbscanTilesFn& tiles) {
  if (!tiles) return dbscan(x, y, opt);
  // dbscan()'s checks, in its order, so that a run fails as it would without the hook.
  if (x.size() != y.size()) throw InternalError("dbscan: x and y differ in length");
  check_min_points(opt.min_points);
  checked_bounds(x, y, opt.eps, "dbscan");
  if (x.empty()) return merge_cluster_tiles(0, {});
  return merge_cluster_tiles(x.size(), tiles(x, y, opt));
}

}  // namespace hotspot
