// One clustering by any method: the checks that tie parameters to a method, and the dispatch.
#include "hotspot/cluster.hpp"
#include "hotspot/distribute.hpp"

#include <cmath>
#include <string>

#include "hotspot/error.hpp"
#include "util/text.hpp"

namespace hotspot {

void check_cluster_options(const ClusterOptions& o) {
  const char* method = o.method == ClusterMethod::kDbscan ? "dbscan" : "st-dbscan";
  if (o.method != ClusterMethod::kHdbscan) {
    const bool resolved_later = o.eps_auto && o.eps_m == 0;  // cluster() takes it from the data
    if (o.eps_m == 0 && !o.eps_auto)
      throw ParameterError("eps", std::string("required by method ") + method);
    if (!resolved_later && (!(o.eps_m > 0) || !std::isfinite(o.eps_m)))
      throw ParameterError("eps", "must be > 0 m (got " + metres_text(o.eps_m) + ")");
    if (o.min_points < 1)
      throw ParameterError("min_points",
                           "must be at least 1 (got " + std::to_string(o.min_points) + ")");
  }
  if (o.method == ClusterMethod::kStDbscan) {
    if (o.eps_time_s == 0) throw ParameterError("eps_time", "required by method st-dbscan");
    if (o.eps_time_s <= 0 || o.eps_time_s > (std::int64_t{1} << 50))
      throw ParameterError("eps_time", "must be a duration > 0 of at most 2^50 seconds (got " +
                                           std::to_string(o.eps_time_s) + " s)");
  }
  if (o.method == ClusterMethod::kHdbscan) {
    if (o.hdbscan.min_cluster_size < 2)
      throw ParameterError(
          "min_cluster_size",
          "must be at least 2 (got " + std::to_string(o.hdbscan.min_cluster_size) + ")");
    if (o.hdbscan.min_samples < 0)
      throw ParameterError("min_samples",
                           "must be >= 0 (got " + std::to_string(o.hdbscan.min_samples) + ")");
  }
  if (!(o.concave_ratio >= 0 && o.concave_ratio <= 1))
    throw ParameterError("concave_ratio",
                         "must be in 0..1 (got " + std::to_string(o.concave_ratio) + ")");
}

void check_cluster_counts(const ClusterOptions& o, std::size_t n) {
  // More than the points: no cluster can ever form (and hdbscan's k-th neighbour is undefined).
  auto refuse = [n](const char* parameter, std::int64_t v, const std::string& what,
                    const std::string& usual) {
    throw ParameterError(parameter, std::to_string(v) + " incidents " + what +
                                        " is more than the " + std::to_string(n) +
                                        " incidents clustered: no cluster can form. Use at most " +
                                        std::to_string(n) + " (" + usual + ")");
  };
  if (o.method != ClusterMethod::kHdbscan && n > 0 && static_cast<std::size_t>(o.min_points) > n)
    refuse("min_points", o.min_points, "for a core point", "default 5");
  if (o.method == ClusterMethod::kHdbscan && n >= 2) {
    if (static_cast<std::size_t>(o.hdbscan.min_cluster_size) > n)
      refuse("min_cluster_size", o.hdbscan.min_cluster_size, "for the smallest cluster",
             "default 5");
    if (static_cast<std::size_t>(o.hdbscan.min_samples) > n)
      refuse("min_samples", o.hdbscan.min_samples, "for the core distance",
             "default: min_cluster_size");
  }
}

Clustering cluster(const std::vector<double>& x, const std::vector<double>& y,
                   const std::vector<std::int64_t>& t, const ClusterOptions& options) {
  return cluster(x, y, t, options, nullptr);
}

Clustering cluster(const std::vector<double>& x, const std::vector<double>& y,
                   const std::vector<std::int64_t>& t, const ClusterOptions& options,
                   const RunDistribution* hooks) {
  check_cluster_options(options);
  check_cluster_counts(options, x.size());
  ClusterOptions o = options;
  if (o.method != ClusterMethod::kHdbscan && o.eps_auto && o.eps_m == 0)
    o.eps_m = k_distance_knee(x, y, o.min_points, o.threads).eps;
  switch (o.method) {
    case ClusterMethod::kDbscan:
      return dbscan(x, y, {o.eps_m, o.min_points, o.threads},
                    hooks ? hooks->dbscan_tiles : DbscanTilesFn{});
    case ClusterMethod::kStDbscan:
      return st_dbscan(x, y, t, {o.eps_m, o.eps_time_s, o.min_points, o.threads},
                       hooks ? hooks->st_dbscan_tiles : StDbscanTilesFn{});
    case ClusterMethod::kHdbscan: {
      HdbscanOptions h = o.hdbscan;
      h.threads = o.threads;
      return hooks && hooks->hdbscan ? hooks->hdbscan(x, y, h) : hdbscan(x, y, h);
    }
  }
  throw InternalError("cluster: unknown method");
}

}  // namespace hotspot
