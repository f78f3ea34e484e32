// hotspot aggregate: counts per commune and zone, zone-commune linkage, GeoPackage output.
#include <iostream>
#include <memory>

#include "hotspot/jobs/aggregate.hpp"
#include "options.hpp"
#include "params.hpp"

namespace hotspot::cli {

void add_aggregate(CLI::App& app) {
  auto* cmd = app.add_subcommand("aggregate", "Count incidents into communes and industrial zones; write a GeoPackage");
  auto o = std::make_shared<CommonInputs>();
  auto opt = std::make_shared<AggregateOptions>();
  add_input_options(*cmd, *o);
  auto params = std::make_shared<CliParams<AggregateStepOptions>>(*cmd, aggregate_params());
  cmd->add_option("--out", opt->out, "Output GeoPackage (written atomically)")->required();
  cmd->callback([o, opt, params] {
    finish_input_options(*o);
    params->apply(opt->step);
    opt->inputs = o->inputs;
    opt->command_line = command_line();
    // A value found wrong against the data (a band wider than the study area) names its
    // parameter; spell it as the flag, as the table's own checks are.
    RunSummary s;
    with_param_spelling(aggregate_params().info(), nullptr,
                        CliParams<AggregateStepOptions>::spelling(),
                        [&] { s = run_aggregate(*opt); });
    std::cout << format_summary(s);
    print_warnings(s.warnings);
  });
}

}  // namespace hotspot::cli
