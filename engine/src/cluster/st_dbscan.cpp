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
#include "cluster/time_cells.hpp"
#include "hotspot/cluster.hpp"
#include "hotspot/error.hpp"
#include "hotspot/ingest.hpp"
#include "util/parallel.hpp"

namespace hotspot {

using namespace cluster_detail;

void cluster_detail::check_st_dbscan(std::span<const double> x, std::span<const double> y,
                                     std::span<const std::int64_t> t, const StDbscanOptions& opt,
                                     const char* stage) {
  const std::size_t n = x.size();
  if (y.size() != n || t.size() != n)
    throw InternalError(std::string(stage) + ": column lengths differ");
  check_min_points(opt.min_points);
  if (opt.eps_time_s < 0 || opt.eps_time_s > (std::int64_t{1} << 50))
    throw ParameterError("eps_time", "must be between 0 and 2^50 seconds (got " +
                                         std::to_string(opt.eps_time_s) + " s)");
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

  const TimeCells g(x, y, t, opt.eps, bb);

  const auto min_points = static_cast<std::int64_t>(opt.min_points);
  std::vector<std::uint8_t> core(n, 0);
  parallel_ranges(n, threads, [&](std::size_t b, std::size_t e, int) {
    for (std::size_t i = b; i < e; ++i) {
      std::int64_t count = 0;
      g.for_candidates(i, dt, [&](std::uint32_t j) {
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
      g.for_candidates(i, dt, [&](std::uint32_t j) {
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
      g.for_candidates(i, dt, [&](std::uint32_t j) {
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
