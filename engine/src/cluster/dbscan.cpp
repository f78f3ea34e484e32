// Exact DBSCAN on a grid (Wang, Gu & Shun, SIGMOD 2020, the 2D grid variant):
//   1. points go to cells of side < eps/sqrt(2); equal locations merge into weighted sites;
//   2. a site is core if its cell alone holds min_points points, else by counting its 5x5 block;
//   3. two cells with core sites are linked when some pair of their core sites is within eps
//      (one pair suffices; all core sites of one cell are within eps of each other), and the
//      links are merged with union-find;
//   4. a non-core site joins the cluster of its nearest core site within eps (ties: lower index).
// Each step is a static split over cells with per-cell results, and the links are merged in
// cell order, so nothing depends on the thread count. Memory is O(n).
#include <cmath>
#include <limits>

#include "cluster/grid.hpp"
#include "cluster/labels.hpp"
#include "hotspot/cluster.hpp"
#include "hotspot/error.hpp"
#include "util/parallel.hpp"

namespace hotspot {

using namespace cluster_detail;

Clustering dbscan(std::span<const double> x, std::span<const double> y, const DbscanOptions& opt) {
  if (x.size() != y.size()) throw InternalError("dbscan: x and y differ in length");
  check_min_points(opt.min_points);
  const int threads = resolve_threads(opt.threads);
  const SiteGrid g = build_site_grid(x, y, opt.eps, "dbscan");
  const double eps2 = opt.eps * opt.eps;
  const std::size_t ncell = g.cells(), nsite = g.sx.size();
  const auto min_points = static_cast<std::int64_t>(opt.min_points);

  // 2. core sites
  BigVector<std::uint8_t> site_core(nsite, 0), cell_core(ncell, 0);
  parallel_ranges(ncell, threads, [&](std::size_t b, std::size_t e, int) {
    SiteGrid::Cursor cursor(g);
    for (std::size_t c = b; c < e; ++c) {
      if (g.count[c] >= min_points) {
        for (std::uint32_t s = g.start[c]; s < g.start[c + 1]; ++s) site_core[s] = 1;
        cell_core[c] = 1;
        continue;
      }
      std::uint32_t nbs[25];
      const std::size_t nn = cursor.neighbours(c, nbs);
      for (std::uint32_t s = g.start[c]; s < g.start[c + 1]; ++s) {
        std::int64_t n = g.count[c];
        const double px = g.sx[s], py = g.sy[s];
        for (std::size_t k = 0; k < nn && n < min_points; ++k) {
          const std::size_t nb = nbs[k];
          if (nb == c || g.box_d2(nb, px, py) > eps2) continue;
          if (g.far_d2(nb, px, py) <= eps2) {  // the whole cell is within eps
            n += g.count[nb];
            continue;
          }
          for (std::uint32_t t = g.start[nb]; t < g.start[nb + 1] && n < min_points; ++t)
            if (within(px, py, g.sx[t], g.sy[t], eps2)) n += g.mult[t];
        }
        if (n >= min_points) site_core[s] = cell_core[c] = 1;
      }
    }
  });

  // 3. links between core cells (each pair tested once, from the lower cell)
  std::vector<std::vector<std::pair<std::uint32_t, std::uint32_t>>> links(
      static_cast<std::size_t>(threads));
  parallel_ranges(ncell, threads, [&](std::size_t b, std::size_t e, int t) {
    auto& out = links[static_cast<std::size_t>(t)];
    SiteGrid::Cursor cursor(g);
    std::uint32_t nbs[25];
    for (std::size_t c = b; c < e; ++c) {
      if (!cell_core[c]) continue;
      const std::size_t nn = cursor.neighbours(c, nbs);
      for (std::size_t k = 0; k < nn; ++k) {
        const std::size_t nb = nbs[k];
        if (nb <= c || !cell_core[nb]) continue;
        [&] {  // the first core pair within eps links the cells
          for (std::uint32_t s = g.start[c]; s < g.start[c + 1]; ++s) {
            if (!site_core[s] || g.box_d2(nb, g.sx[s], g.sy[s]) > eps2) continue;
            for (std::uint32_t u = g.start[nb]; u < g.start[nb + 1]; ++u)
              if (site_core[u] && within(g.sx[s], g.sy[s], g.sx[u], g.sy[u], eps2)) {
                out.emplace_back(static_cast<std::uint32_t>(c), static_cast<std::uint32_t>(nb));
                return;
              }
          }
        }();
      }
    }
  });
  UnionFind uf(ncell);
  for (const auto& part : links)
    for (const auto& [a, b] : part) uf.unite(a, b);
  BigVector<std::int64_t> cell_root(ncell);
  for (std::size_t c = 0; c < ncell; ++c) cell_root[c] = uf.find(static_cast<std::uint32_t>(c));

  // 4. sites to clusters: core sites by cell, border sites by their nearest core site
  BigVector<std::int64_t> site_cluster(nsite, -1);
  parallel_ranges(ncell, threads, [&](std::size_t b, std::size_t e, int) {
    std::uint32_t nbs[25];
    SiteGrid::Cursor cursor(g);
    for (std::size_t c = b; c < e; ++c) {
      std::size_t nn = 0;
      bool listed = false;
      for (std::uint32_t s = g.start[c]; s < g.start[c + 1]; ++s) {
        if (site_core[s]) {
          site_cluster[s] = cell_root[c];
          continue;
        }
        if (!listed) {
          nn = cursor.neighbours(c, nbs);
          listed = true;
        }
        double best = std::numeric_limits<double>::infinity();
        std::uint32_t best_rep = 0;
        std::int64_t best_cluster = -1;
        const double px = g.sx[s], py = g.sy[s];
        for (std::size_t k = 0; k < nn; ++k) {
          const std::size_t nb = nbs[k];
          if (!cell_core[nb] || g.box_d2(nb, px, py) > eps2) continue;
          for (std::uint32_t u = g.start[nb]; u < g.start[nb + 1]; ++u) {
            if (!site_core[u]) continue;
            const double dx = px - g.sx[u], dy = py - g.sy[u], d2 = dx * dx + dy * dy;
            if (d2 > eps2) continue;
            if (d2 < best || (d2 == best && g.rep[u] < best_rep)) {
              best = d2;
              best_rep = g.rep[u];
              best_cluster = cell_root[nb];
            }
          }
        }
        site_cluster[s] = best_cluster;
      }
    }
  });

  Clustering out;
  BigVector<std::int64_t> raw(x.size());
  out.core.resize(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    raw[i] = site_cluster[g.site_of[i]];
    out.core[i] = site_core[g.site_of[i]];
  }
  number_clusters(raw, out);
  return out;
}

}  // namespace hotspot
