// ST-DBSCAN (Birant & Kut 2007, without the cluster-average filter): DBSCAN where a neighbour must
// lie within eps in space AND within eps_time in time. Points are bucketed in cells of side eps
// (a neighbour is in the 3x3 block) and sorted by time inside a cell, so a neighbourhood query
// is nine binary searches plus a scan of the time window. Cores are found in parallel (static
// split, per-point results); clusters are connected components of core-core neighbour pairs,
// which do not depend on the order of the unions.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "cluster/grid.hpp"
#include "cluster/labels.hpp"
#include "hotspot/cluster.hpp"
#include "hotspot/error.hpp"
#include "hotspot/ingest.hpp"
#include "util/parallel.hpp"

namespace hotspot {

using namespace cluster_detail;

namespace {

struct TimeGrid {
  double x0 = 0, y0 = 0, side = 0;
  std::uint64_t nx = 0, ny = 0;
  std::vector<std::uint64_t> key;      // per cell, ascending
  std::vector<std::uint32_t> start;    // per cell + 1, into order
  std::vector<std::uint32_t> order;    // point indices by (cell, time, index)
  std::vector<std::int64_t> t_sorted;  // time of order[k]
  std::vector<std::uint64_t> cell_of_point;

  std::vector<std::uint32_t> cell_index;    // per point: its cell
  std::vector<std::uint32_t> nb_start, nb;  // per cell: the cells of its 3x3 block (CSR)

  void link_neighbours() {
    const std::size_t nc = key.size();
    nb_start.assign(1, 0);
    for (std::size_t c = 0; c < nc; ++c) {
      const std::uint64_t ix = key[c] / ny, iy = key[c] % ny;
      for (std::uint64_t gx = ix > 0 ? ix - 1 : 0; gx <= std::min(nx - 1, ix + 1); ++gx) {
        const std::uint64_t lo = gx * ny + (iy > 0 ? iy - 1 : 0),
                            hi = gx * ny + std::min(ny - 1, iy + 1);
        for (auto it = std::lower_bound(key.begin(), key.end(), lo); it != key.end() && *it <= hi;
             ++it)
          nb.push_back(static_cast<std::uint32_t>(it - key.begin()));
      }
      nb_start.push_back(static_cast<std::uint32_t>(nb.size()));
    }
  }

  // fn(j) for every point j in the 3x3 block around point i's cell with |t_j - t_i| <= dt.
  template <class F>
  void for_candidates(std::size_t i, std::int64_t t, std::int64_t dt, F&& fn) const {
    const std::uint32_t c0 = cell_index[i];
    for (std::uint32_t k = nb_start[c0]; k < nb_start[c0 + 1]; ++k) {
      const std::uint32_t c = nb[k];
      auto b = t_sorted.begin() + start[c], e = t_sorted.begin() + start[c + 1];
      // t - dt and t + dt cannot overflow: |t| and dt are checked by the caller.
      for (auto q = std::lower_bound(b, e, t - dt); q != e && *q <= t + dt; ++q)
        fn(order[static_cast<std::size_t>(q - t_sorted.begin())]);
    }
  }
};

}  // namespace

void cluster_detail::check_st_dbscan(std::span<const double> x, std::span<const double> y,
                                     std::span<const std::int64_t> t, const StDbscanOptions& opt,
                                     const char* stage) {
  const std::size_t n = x.size();
  if (y.size() != n || t.size() != n)
    throw InternalError(std::string(stage) + ": column lengths differ");
  if (opt.min_points < 1)
    throw ParameterError("min_points",
                         "must be at least 1 (got " + std::to_string(opt.min_points) + ")");
  if (opt.eps_time_s < 0 || opt.eps_time_s > (std::int64_t{1} << 50))
    throw ParameterError("eps_time", "must be between 0 and 2^50 seconds (got " +
                                         std::to_string(opt.eps_time_s) + ")");
  for (std::size_t i = 0; i < n; ++i)
    if (t[i] == kNoTime || t[i] > (std::int64_t{1} << 52) || t[i] < -(std::int64_t{1} << 52))
      throw UsageError("st-dbscan needs a time for every incident; incident " + std::to_string(i) +
                       " has none (name the incidents' time column, or cluster with dbscan)");
}

Clustering st_dbscan(std::span<const double> x, std::span<const double> y,
                     std::span<const std::int64_t> t, const StDbscanOptions& opt) {
  const std::size_t n = x.size();
  check_st_dbscan(x, y, t, opt, "st_dbscan");
  const Box bb = checked_bounds(x, y, opt.eps, "st-dbscan");
  Clustering out;
  if (n == 0) return out;
  const int threads = resolve_threads(opt.threads);
  const double eps2 = opt.eps * opt.eps;
  const std::int64_t dt = opt.eps_time_s;

  TimeGrid g;
  g.x0 = bb.xmin;
  g.y0 = bb.ymin;
  g.side = opt.eps * (1 + 1e-7);  // a point within eps is never two cells away
  const double xmax = bb.xmax, ymax = bb.ymax;
  g.nx = static_cast<std::uint64_t>(std::floor((xmax - g.x0) / g.side)) + 1;
  g.ny = static_cast<std::uint64_t>(std::floor((ymax - g.y0) / g.side)) + 1;
  g.cell_of_point.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto ix = std::min(g.nx - 1, static_cast<std::uint64_t>(std::floor((x[i] - g.x0) / g.side)));
    auto iy = std::min(g.ny - 1, static_cast<std::uint64_t>(std::floor((y[i] - g.y0) / g.side)));
    g.cell_of_point[i] = ix * g.ny + iy;
  }
  g.order.resize(n);
  for (std::size_t i = 0; i < n; ++i) g.order[i] = static_cast<std::uint32_t>(i);
  std::sort(g.order.begin(), g.order.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (g.cell_of_point[a] != g.cell_of_point[b]) return g.cell_of_point[a] < g.cell_of_point[b];
    if (t[a] != t[b]) return t[a] < t[b];
    return a < b;
  });
  g.t_sorted.resize(n);
  for (std::size_t k = 0; k < n; ++k) {
    g.t_sorted[k] = t[g.order[k]];
    const std::uint64_t key = g.cell_of_point[g.order[k]];
    if (k == 0 || key != g.key.back()) {
      g.key.push_back(key);
      g.start.push_back(static_cast<std::uint32_t>(k));
    }
  }
  g.start.push_back(static_cast<std::uint32_t>(n));
  g.cell_index.resize(n);
  for (std::size_t c = 0; c + 1 < g.start.size(); ++c)
    for (std::uint32_t k = g.start[c]; k < g.start[c + 1]; ++k)
      g.cell_index[g.order[k]] = static_cast<std::uint32_t>(c);
  g.cell_of_point = {};
  g.link_neighbours();

  const auto min_points = static_cast<std::int64_t>(opt.min_points);
  std::vector<std::uint8_t> core(n, 0);
  parallel_ranges(n, threads, [&](std::size_t b, std::size_t e, int) {
    for (std::size_t i = b; i < e; ++i) {
      std::int64_t count = 0;
      g.for_candidates(i, t[i], dt, [&](std::uint32_t j) {
        if (within(x[i], y[i], x[j], y[j], eps2)) ++count;
      });
      core[i] = count >= min_points;
    }
  });

  ConcurrentUnionFind uf(n);
  parallel_ranges(n, threads, [&](std::size_t b, std::size_t e, int) {
    for (std::size_t i = b; i < e; ++i) {
      if (!core[i]) continue;
      const auto ii = static_cast<std::uint32_t>(i);
      g.for_candidates(i, t[i], dt, [&](std::uint32_t j) {
        if (j > ii && core[j] && within(x[i], y[i], x[j], y[j], eps2)) uf.unite(ii, j);
      });
    }
  });
  std::vector<std::int64_t> root(n);
  for (std::size_t i = 0; i < n; ++i)
    root[i] = core[i] ? uf.find(static_cast<std::uint32_t>(i)) : -1;

  std::vector<std::int64_t> raw(n, -1);
  parallel_ranges(n, threads, [&](std::size_t b, std::size_t e, int) {
    for (std::size_t i = b; i < e; ++i) {
      if (core[i]) {
        raw[i] = root[i];
        continue;
      }
      double best = std::numeric_limits<double>::infinity();
      std::uint32_t best_j = std::numeric_limits<std::uint32_t>::max();
      g.for_candidates(i, t[i], dt, [&](std::uint32_t j) {
        if (!core[j]) return;
        const double dx = x[i] - x[j], dy = y[i] - y[j], d2 = dx * dx + dy * dy;
        if (d2 <= eps2 && (d2 < best || (d2 == best && j < best_j))) {
          best = d2;
          best_j = j;
        }
      });
      if (best_j != std::numeric_limits<std::uint32_t>::max()) raw[i] = root[best_j];
    }
  });
  out.core = std::move(core);
  number_clusters(raw, out);
  return out;
}

}  // namespace hotspot
