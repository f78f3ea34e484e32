// hotspot cluster: DBSCAN, HDBSCAN or ST-DBSCAN on incidents; labelled incidents and cluster
// footprints in a GeoPackage.
#include <iostream>
#include <map>
#include <memory>

#include "hotspot/cluster.hpp"
#include "hotspot/error.hpp"
#include "options.hpp"

namespace hotspot::cli {

void add_cluster(CLI::App& app) {
  auto* cmd = app.add_subcommand("cluster", "Cluster incidents (DBSCAN, HDBSCAN, ST-DBSCAN); write labelled incidents and cluster footprints");
  auto o = std::make_shared<CommonInputs>();
  auto opt = std::make_shared<ClusterJobOptions>();
  auto method = std::make_shared<std::string>();
  auto eps_time = std::make_shared<std::string>();
  auto selection = std::make_shared<std::string>("eom");
  auto hull = std::make_shared<std::string>("convex");
  add_input_options(*cmd, *o, /*communes_required=*/false);
  cmd->add_option("--out", opt->out, "Output GeoPackage (written atomically)")->required();
  cmd->add_option("--method", *method, "dbscan | hdbscan | st-dbscan")
      ->required()->check(CLI::IsMember({"dbscan", "hdbscan", "st-dbscan"}));
  cmd->add_option("--eps", opt->eps_m, "dbscan, st-dbscan: neighbourhood radius, metres (data units when planar)");
  cmd->add_option("--eps-time", *eps_time, "st-dbscan: time radius, e.g. 3600, 90min, 2h, 7d");
  cmd->add_option("--min-points", opt->min_points, "dbscan, st-dbscan: neighbours for a core point, itself included")
      ->capture_default_str();
  cmd->add_option("--min-cluster-size", opt->hdbscan.min_cluster_size, "hdbscan: smallest cluster")->capture_default_str();
  cmd->add_option("--min-samples", opt->hdbscan.min_samples,
                  "hdbscan: neighbours for the core distance, itself included (default: --min-cluster-size)");
  cmd->add_option("--selection", *selection, "hdbscan: eom (excess of mass) | leaf")
      ->capture_default_str()->check(CLI::IsMember({"eom", "leaf"}));
  cmd->add_option("--hull", *hull, "Cluster footprint: convex | concave")
      ->capture_default_str()->check(CLI::IsMember({"convex", "concave"}));
  cmd->add_option("--concave-ratio", opt->concave_ratio, "Concave hull edge-length ratio, 0 (tight) .. 1 (convex)")
      ->capture_default_str();
  cmd->callback([o, opt, method, eps_time, selection, hull, cmd] {
    finish_input_options(*o);
    opt->inputs = o->inputs;
    opt->command_line = command_line();
    opt->method = *method == "hdbscan" ? ClusterMethod::kHdbscan
                  : *method == "st-dbscan" ? ClusterMethod::kStDbscan : ClusterMethod::kDbscan;
    const bool spatial = opt->method != ClusterMethod::kHdbscan;
    if (spatial && cmd->count("--eps") == 0) throw UsageError("cluster: --method " + *method + " needs --eps");
    if (opt->method == ClusterMethod::kStDbscan) {
      if (eps_time->empty()) throw UsageError("cluster: --method st-dbscan needs --eps-time");
      opt->eps_time_s = parse_duration_seconds(*eps_time, "--eps-time");
    }
    opt->hdbscan.selection = *selection == "leaf" ? HdbscanSelection::kLeaf : HdbscanSelection::kEom;
    opt->hull = *hull == "concave" ? HullKind::kConcave : HullKind::kConvex;
    ClusterSummary s = run_cluster(*opt);
    std::cout << format_cluster_summary(s);
  });
}

}  // namespace hotspot::cli
