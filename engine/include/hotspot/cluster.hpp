#pragma once
// Point clustering: exact DBSCAN (grid algorithm), HDBSCAN (Boruvka MST over a kd-tree) and
// ST-DBSCAN, plus the `hotspot cluster` job that writes labelled incidents and cluster footprints.
//
// Glossary: a *core* point has at least min_points points (itself included) within eps; a
// *border* point is not core but lies within eps of a core point; everything else is *noise*.
// Cluster ids run 0, 1, ... by cluster size (descending), ties broken by the smallest input index
// in the cluster; -1 is noise. They never depend on the thread count.
#include <cstdint>
#include <string>
#include <vector>

#include "hotspot/jobs.hpp"

namespace hotspot {

struct DbscanOptions {
  double eps = 0;      // neighbourhood radius, metres (data units when planar); distance <= eps counts
  int min_points = 5;  // DEFAULT: 5; counts the point itself (scikit-learn's min_samples)
  int threads = 0;     // DEFAULT: 0 = all cores
};

struct StDbscanOptions {
  double eps = 0;                // spatial radius (<= eps counts)
  std::int64_t eps_time_s = 0;   // temporal radius in seconds (|t_i - t_j| <= eps_time_s counts)
  int min_points = 5;            // DEFAULT: 5; counts the point itself
  int threads = 0;               // DEFAULT: 0 = all cores
};

enum class HdbscanSelection { kEom, kLeaf };

struct HdbscanOptions {
  int min_cluster_size = 5;  // DEFAULT: 5
  int min_samples = 0;       // DEFAULT: 0 = min_cluster_size; counts the point itself (R dbscan's minPts)
  HdbscanSelection selection = HdbscanSelection::kEom;  // DEFAULT: excess of mass
  int threads = 0;                                      // DEFAULT: 0 = all cores
};

struct Clustering {
  std::vector<std::int32_t> label;   // per input point: cluster id, or -1 for noise
  std::vector<std::uint8_t> core;    // DBSCAN / ST-DBSCAN: 1 for core points; empty for HDBSCAN
  std::vector<double> probability;   // HDBSCAN only: membership strength in [0, 1] (0 for noise)
  std::vector<double> outlier_score; // HDBSCAN only: GLOSH in [0, 1]
  std::vector<std::int64_t> size;    // per cluster id: number of points
  std::int32_t clusters() const { return static_cast<std::int32_t>(size.size()); }
};

// Exact DBSCAN. Core and noise sets equal scikit-learn's (Euclidean, dx*dx + dy*dy <= eps*eps).
// A border point joins the cluster of its nearest core point; equal distances go to the core
// point with the lower input index.
Clustering dbscan(const std::vector<double>& x, const std::vector<double>& y, const DbscanOptions& options);

// ST-DBSCAN: neighbours are within eps in space AND eps_time_s in time. Border points join the
// cluster of the nearest (in space) core point that is their spatio-temporal neighbour, ties to
// the lower index. Points without a time (kNoTime) are rejected with UsageError.
Clustering st_dbscan(const std::vector<double>& x, const std::vector<double>& y, const std::vector<std::int64_t>& t,
                     const StDbscanOptions& options);

// HDBSCAN* (Campello, Moulavi & Sander 2013): exact mutual-reachability MST, condensed tree with
// min_cluster_size, excess-of-mass or leaf selection, membership probabilities and GLOSH.
Clustering hdbscan(const std::vector<double>& x, const std::vector<double>& y, const HdbscanOptions& options);

enum class ClusterMethod { kDbscan, kHdbscan, kStDbscan };
enum class HullKind { kConvex, kConcave };

struct ClusterJobOptions {
  InputOptions inputs;  // communes and zones optional (they fill the clusters' communes/zones fields)
  ClusterMethod method = ClusterMethod::kDbscan;
  double eps_m = 0;                 // dbscan, st-dbscan
  std::int64_t eps_time_s = 0;      // st-dbscan
  int min_points = 5;               // dbscan, st-dbscan; DEFAULT: 5
  HdbscanOptions hdbscan;           // hdbscan
  HullKind hull = HullKind::kConvex;  // DEFAULT: convex
  double concave_ratio = 0.3;       // GEOSConcaveHull length ratio; DEFAULT: 0.3
  std::string out;                  // .gpkg path
  std::string command_line;
};

// "3600", "90s", "30min", "2h", "7d" -> seconds; throws UsageError naming `option` otherwise.
std::int64_t parse_duration_seconds(const std::string& text, const std::string& option);

struct ClusterSummary {
  RunSummary run;
  std::int32_t clusters = 0;
  std::int64_t clustered = 0, noise = 0;
  std::int64_t buffered_footprints = 0;  // members at one location or collinear
};

// load -> cluster -> footprints -> write (layers incidents, clusters, temporal_profiles,
// peak_hours, rejected_incidents, run_metadata and a QGIS project).
ClusterSummary run_cluster(const ClusterJobOptions& options);
std::string format_cluster_summary(const ClusterSummary& s);

}  // namespace hotspot
