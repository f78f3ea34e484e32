// eps for DBSCAN from the knee of the sorted k-distance curve (Ester et al. 1996, section 4.2;
// the knee found as in Kneedle, Satopää et al. 2011, without smoothing).
#include <algorithm>
#include <cmath>
#include <string>

#include "cluster/kdtree.hpp"
#include "hotspot/cluster.hpp"
#include "hotspot/error.hpp"
#include "util/parallel.hpp"

namespace hotspot {

KDistanceKnee k_distance_knee(const std::vector<double>& x, const std::vector<double>& y, int k, int threads) {
  if (k < 1) throw ParameterError("min_points", "must be at least 1 (got " + std::to_string(k) + ")");
  const std::size_t n = x.size();
  if (n < 3)
    throw ParameterError("eps", "auto needs at least 3 incidents (got " + std::to_string(n) + ")");
  const int kk = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(k), n));
  const cluster_detail::KdTree tree(x, y);
  std::vector<double> d(n);
  parallel_ranges(n, resolve_threads(threads), [&](std::size_t b, std::size_t e, int) {
    for (std::size_t p = b; p < e; ++p) d[p] = std::sqrt(tree.kth_d2(static_cast<std::uint32_t>(p), kk));
  });
  std::sort(d.begin(), d.end());
  KDistanceKnee out;
  out.k = kk;
  const double lo = d.front(), hi = d.back();
  if (!(hi > lo)) {
    if (!(hi > 0))
      throw ParameterError("eps", "auto: every incident has its " + std::to_string(kk) +
                                      " nearest neighbours at distance 0 (all at one place)");
    out.eps = hi;
    out.index = n - 1;
    return out;
  }
  // Both axes scaled to [0, 1]; the curve rises and bends upwards, so it lies under the chord
  // from its first to its last point, and the knee is where it is farthest below: max of x - y.
  double best = -1;
  for (std::size_t i = 0; i < n; ++i) {
    const double xi = static_cast<double>(i) / static_cast<double>(n - 1);
    const double yi = (d[i] - lo) / (hi - lo);
    if (xi - yi > best) {
      best = xi - yi;
      out.index = i;
    }
  }
  out.eps = d[out.index];
  if (!(out.eps > 0)) {
    // The knee lies among duplicates: the first positive distance is the smallest usable eps.
    auto it = std::upper_bound(d.begin(), d.end(), 0.0);
    out.index = static_cast<std::size_t>(it - d.begin());
    out.eps = *it;
  }
  return out;
}

}  // namespace hotspot
