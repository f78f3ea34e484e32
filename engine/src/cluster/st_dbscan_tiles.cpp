// ST-DBSCAN by tiles (hotspot/distribute.hpp): one tile's part, and st_dbscan with the tiles
// computed elsewhere. The halo is spatial (every point within eps of the tile's box); the time
// criterion is applied here, point by point, as st_dbscan applies it. The merge is
// dbscan_tiles.cpp's: ST-DBSCAN's rules (core by count, clusters through core-core neighbour
// pairs, a border point to its nearest core neighbour with ties to the lower index) are DBSCAN's
// with another neighbour relation.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "cluster/grid.hpp"
#include "cluster/labels.hpp"
#include "cluster/time_cells.hpp"
#include "hotspot/distribute.hpp"
#include "hotspot/error.hpp"
#include "hotspot/ingest.hpp"
#include "util/parallel.hpp"

namespace hotspot {

using namespace cluster_detail;

namespace {

inline bool nearer(double d2, std::int64_t j, double best_d2, std::int64_t best_j) {
  return d2 < best_d2 || (d2 == best_d2 && j < best_j);
}

}  // namespace

ClusterTilePart st_dbscan_tile(std::span<const double> x, std::span<const double> y,
                               std::span<const std::int64_t> t, std::span<const std::int64_t> index,
                               std::size_t owned, const StDbscanOptions& opt) {
  const std::size_t n = x.size();
  if (index.size() != n || owned > n)
    throw InternalError("st_dbscan_tile: column lengths differ or more owned points than points");
  check_st_dbscan(x, y, t, opt, "st_dbscan_tile");
  const Box bb = checked_bounds(x, y, opt.eps, "st-dbscan");
  ClusterTilePart out;
  if (n == 0) return out;
  const int threads = resolve_threads(opt.threads);
  const double eps2 = opt.eps * opt.eps;
  const std::int64_t dt = opt.eps_time_s;
  const auto min_points = static_cast<std::int64_t>(opt.min_points);
  const TimeCells g(x, y, t, opt.eps, bb);

  // Core flags of the owned points: their whole neighbourhood is here.
  std::vector<std::uint8_t> core(owned, 0);
  parallel_ranges(owned, threads, [&](std::size_t b, std::size_t e, int) {
    for (std::size_t i = b; i < e; ++i) {
      std::int64_t count = 0;
      g.for_candidates(i, dt, [&](std::uint32_t j) {
        if (within(x[i], y[i], x[j], y[j], eps2)) ++count;
      });
      core[i] = count >= min_points;
    }
  });
  auto owned_core = [&](std::uint32_t j) { return j < owned && core[j]; };

  // The tile's own components: core-core neighbour pairs among the owned points.
  UnionFind uf(owned);
  for (std::size_t i = 0; i < owned; ++i) {
    if (!core[i]) continue;
    const auto ii = static_cast<std::uint32_t>(i);
    g.for_candidates(i, dt, [&](std::uint32_t j) {
      if (j > ii && owned_core(j) && within(x[i], y[i], x[j], y[j], eps2)) uf.unite(ii, j);
    });
  }
  // Named by the global index of the root (its lowest local index: any member would do).
  auto component = [&](std::size_t i) { return index[uf.find(static_cast<std::uint32_t>(i))]; };

  // Links into the halo: each halo point that is a neighbour of an owned core point, once per
  // component.
  std::vector<std::int64_t> met;
  for (std::size_t u = owned; u < n; ++u) {
    met.clear();
    g.for_candidates(u, dt, [&](std::uint32_t j) {
      if (owned_core(j) && within(x[u], y[u], x[j], y[j], eps2)) met.push_back(component(j));
    });
    std::sort(met.begin(), met.end());
    met.erase(std::unique(met.begin(), met.end()), met.end());
    for (const std::int64_t m : met) {
      out.halo_component.push_back(m);
      out.halo_point.push_back(index[u]);
    }
  }

  // Owned points: core ones named by component; the others with their nearest owned core
  // neighbour and the nearer halo neighbours (fewer than min_points of them).
  out.point.assign(index.begin(), index.begin() + static_cast<std::ptrdiff_t>(owned));
  out.core = core;
  out.link.assign(owned, -1);
  out.link_d2.assign(owned, 0);
  std::vector<std::pair<double, std::int64_t>> halo;
  for (std::size_t i = 0; i < owned; ++i) {
    if (core[i]) {
      out.link[i] = component(i);
      continue;
    }
    double best = std::numeric_limits<double>::infinity();
    std::int64_t best_j = -1;
    halo.clear();
    g.for_candidates(i, dt, [&](std::uint32_t j) {
      const double dx = x[i] - x[j], dy = y[i] - y[j], d2 = dx * dx + dy * dy;
      if (d2 > eps2) return;
      if (j >= owned)
        halo.emplace_back(d2, index[j]);
      else if (core[j] && nearer(d2, index[j], best, best_j)) {
        best = d2;
        best_j = index[j];
      }
    });
    out.link[i] = best_j;
    out.link_d2[i] = best;
    for (const auto& [d2, j] : halo)
      if (nearer(d2, j, best, best_j)) {
        out.cand_point.push_back(index[i]);
        out.cand_core.push_back(j);
        out.cand_d2.push_back(d2);
      }
  }
  return out;
}

Clustering st_dbscan(std::span<const double> x, std::span<const double> y, std::span<const std::int64_t> t,
                     const StDbscanOptions& opt, const StDbscanTilesFn& tiles) {
  if (!tiles) return st_dbscan(x, y, t, opt);
  check_st_dbscan(x, y, t, opt, "st_dbscan");
  checked_bounds(x, y, opt.eps, "st-dbscan");
  if (x.empty()) return Clustering{};
  return merge_cluster_tiles(x.size(), tiles(x, y, t, opt));
}

}  // namespace hotspot
