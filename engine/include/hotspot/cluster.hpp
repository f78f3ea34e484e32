#pragma once
// Point clustering on working-CRS coordinates: exact DBSCAN (grid algorithm), HDBSCAN (Boruvka MST
// over a kd-tree) and ST-DBSCAN, and the clusters' footprints (hulls). Plain columns in, typed
// results out; the `hotspot cluster` command and the run's clusters step are in
// hotspot/jobs/cluster.hpp.
//
// Glossary: a *core* point has at least min_points points (itself included) within eps; a
// *border* point is not core but lies within eps of a core point; everything else is *noise*.
// Cluster ids run 0, 1, ... by cluster size (descending), ties broken by the smallest input index
// in the cluster; -1 is noise. They never depend on the thread count.
//
// Every function checks its options and throws ParameterError naming the parameter (`eps`,
// `min_points`, `eps_time`, `min_cluster_size`, `min_samples`, `concave_ratio`).
#include <cstdint>
#include <span>
#include <vector>

#include "hotspot/geometry.hpp"

namespace hotspot {

struct DbscanOptions {
  double eps = 0;      // neighbourhood radius, metres (data units when planar); distance <= eps
                       // counts. REQUIRES: > 0, and extent / eps <= 1e8
  int min_points = 5;  // points within eps for a core point, itself included (scikit-learn's
                       // min_samples). DEFAULT: 5. REQUIRES: >= 1
  int threads = 0;     // DEFAULT: 0 = all cores
};

struct StDbscanOptions {
  double eps = 0;               // spatial radius, as DbscanOptions::eps. REQUIRES: > 0
  std::int64_t eps_time_s = 0;  // temporal radius, seconds (|t_i - t_j| <= eps_time_s counts).
                                // REQUIRES: 0..2^50
  int min_points = 5;           // DEFAULT: 5; counts the point itself. REQUIRES: >= 1
  int threads = 0;              // DEFAULT: 0 = all cores
};

enum class HdbscanSelection { kEom, kLeaf };

struct HdbscanOptions {
  int min_cluster_size = 5;  // smallest cluster. DEFAULT: 5. REQUIRES: >= 2
  int min_samples = 0;       // neighbours for the core distance, itself included (R dbscan's
                             // minPts). DEFAULT: 0 = min_cluster_size. REQUIRES: 0..points
  HdbscanSelection selection = HdbscanSelection::kEom;  // DEFAULT: excess of mass
  int threads = 0;                                      // DEFAULT: 0 = all cores
};

struct Clustering {
  std::vector<std::int32_t> label;    // per input point: cluster id, or -1 for noise
  std::vector<std::uint8_t> core;     // DBSCAN / ST-DBSCAN: 1 for core points; empty for HDBSCAN
  std::vector<double> probability;    // HDBSCAN only: membership strength in [0, 1] (0 for noise)
  std::vector<double> outlier_score;  // HDBSCAN only: GLOSH in [0, 1]
  std::vector<std::int64_t> size;     // per cluster id: number of points
  std::int32_t clusters() const { return static_cast<std::int32_t>(size.size()); }
};

// Exact DBSCAN. Core and noise sets equal scikit-learn's (Euclidean, dx*dx + dy*dy <= eps*eps).
// A border point joins the cluster of its nearest core point; equal distances go to the core
// point with the lower input index. A non-finite coordinate is an InputError. Spans, so a caller
// that holds the columns elsewhere (Python's numpy arrays) passes them without a copy.
Clustering dbscan(std::span<const double> x, std::span<const double> y,
                  const DbscanOptions& options);
inline Clustering dbscan(const std::vector<double>& x, const std::vector<double>& y,
                         const DbscanOptions& options) {
  return dbscan(std::span<const double>(x), std::span<const double>(y), options);
}

// ST-DBSCAN: neighbours are within eps in space AND eps_time_s in time. Border points join the
// cluster of the nearest (in space) core point that is their spatio-temporal neighbour, ties to
// the lower index. Points without a time (kNoTime) are rejected with UsageError.
Clustering st_dbscan(std::span<const double> x, std::span<const double> y,
                     std::span<const std::int64_t> t, const StDbscanOptions& options);

// HDBSCAN* (Campello, Moulavi & Sander 2013): exact mutual-reachability MST, condensed tree with
// min_cluster_size, excess-of-mass or leaf selection, membership probabilities and GLOSH.
Clustering hdbscan(std::span<const double> x, std::span<const double> y,
                   const HdbscanOptions& options);

enum class ClusterMethod { kDbscan, kHdbscan, kStDbscan };
enum class HullKind { kConvex, kConcave };

// One clustering by any method, with its footprints: what the clusters step runs.
struct ClusterOptions {
  ClusterMethod method = ClusterMethod::kDbscan;  // DEFAULT: dbscan
  double eps_m = 0;             // dbscan, st-dbscan: DbscanOptions::eps. REQUIRES: > 0 for those,
                                // unless eps_auto
  bool eps_auto = false;        // DEFAULT: false. eps from k_distance_knee(x, y, min_points)
  std::int64_t eps_time_s = 0;  // st-dbscan: StDbscanOptions::eps_time_s. REQUIRES: > 0 for it
  int min_points = 5;           // dbscan, st-dbscan. DEFAULT: 5. REQUIRES: >= 1
  HdbscanOptions hdbscan;       // hdbscan (its threads are replaced by `threads`)
  HullKind hull = HullKind::kConcave;  // footprint shape. DEFAULT: concave
  double concave_ratio = 0.3;  // GEOSConcaveHull edge-length ratio, 0 (tight) .. 1 (convex).
                               // DEFAULT: 0.3. REQUIRES: 0..1
  int threads = 0;             // DEFAULT: 0 = all cores
};

// The checks of ClusterOptions that need no data, including what each method requires (eps for
// dbscan and st-dbscan, eps_time for st-dbscan). Throws ParameterError naming the parameter.
void check_cluster_options(const ClusterOptions& options);
// The counts against the `points` clustered: min_points (dbscan, st-dbscan), min_cluster_size and
// min_samples (hdbscan) above them are refused, ParameterError naming the one given. cluster()
// calls it.
void check_cluster_counts(const ClusterOptions& options, std::size_t points);

// eps from the knee of the sorted k-distance curve. Each point's k-distance is the distance to
// its k-th nearest point, itself counted (k = min_points, so a point whose k-distance is <= eps is
// a core point). The distances are sorted ascending and both axes scaled to [0, 1]; the knee is
// the point farthest below the chord from the first to the last point (the maximum of x - y, as
// Kneedle finds it without smoothing). k above the number of points is clamped to it.
// Throws ParameterError naming eps (fewer than 3 points, or all at one place) or min_points.
struct KDistanceKnee {
  double eps = 0;         // the k-distance at the knee
  std::size_t index = 0;  // its position in the sorted curve
  int k = 0;              // the k used
};
KDistanceKnee k_distance_knee(const std::vector<double>& x, const std::vector<double>& y, int k,
                              int threads = 0);
// The same knee, when the caller knows which points have a k-distance of at most eps: DBSCAN's
// core points for eps and min_points = k (within_eps = Clustering::core, which uses the same
// distance test). Those points' distances count only through the smallest, so most of them need
// no full search; the result is identical (the knee is taken from the computed tail of the curve
// only when the ranks within eps provably cannot hold it, else every distance is computed). The
// flags must be exact.
KDistanceKnee k_distance_knee(const std::vector<double>& x, const std::vector<double>& y, int k,
                              int threads, double eps, const std::vector<std::uint8_t>& within_eps);

// dbscan, st_dbscan or hdbscan by options.method; t is read by st-dbscan only. With eps_auto
// and eps_m 0, eps_m is k_distance_knee(x, y, min_points) first.
Clustering cluster(const std::vector<double>& x, const std::vector<double>& y,
                   const std::vector<std::int64_t>& t, const ClusterOptions& options);

struct Footprint {
  MultiPolygon geom;
  double area = 0;        // in squared working-CRS units
  bool buffered = false;  // members at one location or on one line: hull buffered to an area
};

// One footprint per cluster id 0..clusters-1 of `label`. A hull that is not an area (members at
// one location or collinear) is buffered by max(0.5, 1% of the members' bounding-box diagonal)
// units, so every footprint is a valid area that covers all its members. A concave footprint is
// GEOS's concave hull with its ring started at its smallest vertex (x, then y); from 1,000
// members it is computed over a faster triangulation that gives GEOS's ring
// (src/cluster/concave_hull.hpp). concave_ratio is read for concave hulls only; REQUIRES: 0..1.
std::vector<Footprint> cluster_footprints(const std::vector<double>& x,
                                          const std::vector<double>& y,
                                          const std::vector<std::int32_t>& label,
                                          std::int32_t clusters, HullKind hull,
                                          double concave_ratio, int threads);

}  // namespace hotspot
