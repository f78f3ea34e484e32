// hotspot kde: kernel density surface (GeoPackage gridded coverage or GeoTIFF) and hotspot zones.
#include "hotspot/jobs/kde.hpp"

#include <iostream>
#include <memory>

#include "options.hpp"
#include "params.hpp"

namespace hotspot::cli {

void add_kde(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "kde", "Kernel density surface of incidents, and hotspot zones drawn from it");
  auto o = std::make_shared<CommonInputs>();
  auto opt = std::make_shared<KdeRunOptions>();
  add_input_options(*cmd, *o, /*communes_required=*/false);
  cmd->add_option("--out", opt->out, "Output: OUT.gpkg (density + zones + QGIS project) or OUT.tif")
      ->required();
  auto params = std::make_shared<CliParams<KdeStepOptions>>(*cmd, kde_params());
  cmd->callback([o, opt, params] {
    finish_input_options(*o);
    params->apply(opt->kde);
    opt->inputs = o->inputs;
    opt->command_line = command_line();
    // A problem found with the data (a category no incident has, a bandwidth that looks like
    // degrees) names its parameter; spell it as the flag here too.
    RunSummary s;
    with_param_spelling(kde_params().info(), nullptr, CliParams<KdeStepOptions>::spelling(),
                        [&] { s = run_kde(*opt); });
    std::cout << format_summary(s);
    print_warnings(s.warnings);
  });
}

}  // namespace hotspot::cli
