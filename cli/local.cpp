// hotspot local: Getis-Ord Gi* and Local Moran's I on polygons, points or a generated grid.
#include "hotspot/jobs/local.hpp"

#include <iostream>
#include <memory>

#include "options.hpp"
#include "params.hpp"

namespace hotspot::cli {

void add_local(CLI::App& app) {
  auto* cmd = app.add_subcommand("local",
                                 "Local spatial statistics (Getis-Ord Gi*, Local Moran's I) with "
                                 "permutation inference; write a GeoPackage");
  auto o = std::make_shared<CommonInputs>();
  auto opt = std::make_shared<LocalOptions>();
  add_input_options(*cmd, *o, /*communes_required=*/false);
  cmd->get_option("--incidents")
      ->required(false)
      ->description("Incidents to count into --grid cells (CSV or OGR points)");
  cmd->get_option("--communes")
      ->description("Study area for --grid (default: the incidents' convex hull)");
  cmd->get_option("--x-field")
      ->description("CSV x/longitude column of --units or --incidents (default: detected)");
  cmd->get_option("--y-field")
      ->description("CSV y/latitude column of --units or --incidents (default: detected)");
  auto params = std::make_shared<CliParams<LocalOptions>>(*cmd, local_params());
  cmd->add_option("--out", opt->out, "Output GeoPackage (written atomically)")->required();
  cmd->callback([o, opt, params] {
    finish_input_options(*o);
    opt->inputs = o->inputs;
    params->apply(*opt);
    // --x-field/--y-field name the CSV columns of whichever input is a CSV of points.
    opt->x_field = o->inputs.incidents.x_field;
    opt->y_field = o->inputs.incidents.y_field;
    opt->command_line = command_line();
    // A value found wrong against the data (a band wider than the study area) names its
    // parameter; spell it as the flag, as the table's own checks are.
    LocalSummary s;
    with_param_spelling(local_params().info(), nullptr, CliParams<LocalOptions>::spelling(),
                        [&] { s = run_local(*opt); });
    std::cout << format_local_summary(s);
    print_warnings(s.warnings);
  });
}

}  // namespace hotspot::cli
