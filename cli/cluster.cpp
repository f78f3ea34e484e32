// hotspot cluster: DBSCAN, HDBSCAN or ST-DBSCAN on incidents; labelled incidents and cluster
// footprints in a GeoPackage.
#include "hotspot/jobs/cluster.hpp"

#include <iostream>
#include <memory>

#include "options.hpp"
#include "params.hpp"

namespace hotspot::cli {

void add_cluster(CLI::App& app) {
  auto* cmd = app.add_subcommand("cluster",
                                 "Cluster incidents (DBSCAN, HDBSCAN, ST-DBSCAN); write labelled "
                                 "incidents and cluster footprints");
  auto o = std::make_shared<CommonInputs>();
  auto opt = std::make_shared<ClusterJobOptions>();
  add_input_options(*cmd, *o, /*communes_required=*/false);
  cmd->add_option("--out", opt->out, "Output GeoPackage (written atomically)")->required();
  auto params = std::make_shared<CliParams<ClusterOptions>>(*cmd, cluster_params());
  cmd->callback([o, opt, params] {
    finish_input_options(*o);
    params->apply(opt->cluster);
    opt->inputs = o->inputs;
    opt->command_line = command_line();
    // A value found wrong against the data (a band wider than the study area) names its
    // parameter; spell it as the flag, as the table's own checks are.
    RunSummary s;
    with_param_spelling(cluster_params().info(), nullptr, CliParams<ClusterOptions>::spelling(),
                        [&] { s = run_cluster(*opt); });
    std::cout << format_summary(s);
    print_warnings(s.warnings);
  });
}

}  // namespace hotspot::cli
