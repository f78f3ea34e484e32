// hotspot emerging: emerging hot spot analysis on a space-time cube of grid cells x time steps.
#include "hotspot/jobs/emerging.hpp"

#include <iostream>
#include <memory>

#include "options.hpp"
#include "params.hpp"

namespace hotspot::cli {

void add_emerging(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "emerging", "Emerging hot spots: space-time Gi* on a grid x time-step cube, 17 patterns");
  auto o = std::make_shared<CommonInputs>();
  auto opt = std::make_shared<EmergingJobOptions>();
  add_input_options(*cmd, *o, /*communes_required=*/false);
  auto params = std::make_shared<CliParams<EmergingStepOptions>>(*cmd, emerging_params());
  cmd->add_option("--out", opt->out, "Output GeoPackage (written atomically)")->required();
  cmd->callback([o, opt, params] {
    finish_input_options(*o);
    params->apply(opt->step);
    opt->inputs = o->inputs;
    opt->step.emerging.utc_offset_minutes = o->inputs.incidents.utc_offset_minutes;
    opt->command_line = command_line();
    // A value found wrong against the data (a band wider than the study area) names its
    // parameter; spell it as the flag, as the table's own checks are.
    EmergingSummary s;
    with_param_spelling(emerging_params().info(), nullptr,
                        CliParams<EmergingStepOptions>::spelling(),
                        [&] { s = run_emerging(*opt); });
    std::cout << format_summary(s.run);
    for (const auto& line : s.details) std::cout << line << "\n";
    print_warnings(s.run.warnings);
  });
}

}  // namespace hotspot::cli
