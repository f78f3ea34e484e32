#pragma once
// hotspot cluster and the run's clusters analysis: a clustering and its footprints
// (hotspot/cluster.hpp) on the loaded incidents, as a command and as a step.
#include <string>

#include "hotspot/cluster.hpp"
#include "hotspot/jobs.hpp"
#include "hotspot/jobs/params.hpp"

namespace hotspot {

// method, eps, eps_time, min_points, min_cluster_size, min_samples, selection, hull,
// concave_ratio; the check is check_cluster_options (what each method requires).
const ParamTable<ClusterOptions>& cluster_params();

struct ClusterJobOptions {
  InputOptions
      inputs;  // communes and zones optional (they fill the clusters' communes/zones fields)
  ClusterOptions cluster;
  std::string out;           // .gpkg path. REQUIRES: set
  std::string command_line;  // recorded in the run metadata
};

// load -> cluster -> footprints -> write (layers incidents, clusters, temporal_profiles,
// peak_hours, rejected_incidents, run_metadata and a QGIS project). The summary's details are the
// step's (clusters, clustered, noise).
RunSummary run_cluster(const ClusterJobOptions& options);

}  // namespace hotspot
