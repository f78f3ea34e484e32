// hotspot aggregate: counts per commune and zone, zone-commune linkage, GeoPackage output.
#include <iostream>
#include <memory>

#include "options.hpp"

namespace hotspot::cli {

void add_aggregate(CLI::App& app) {
  auto* cmd = app.add_subcommand("aggregate", "Count incidents into communes and industrial zones; write a GeoPackage");
  auto o = std::make_shared<CommonInputs>();
  auto opt = std::make_shared<AggregateOptions>();
  add_input_options(*cmd, *o);
  cmd->add_option("--out", opt->out, "Output GeoPackage (written atomically)")->required();
  cmd->add_option("--zone-buffer", opt->zone_buffer_m, "Buffer ring around each zone, metres")
      ->capture_default_str()->check(CLI::NonNegativeNumber);
  cmd->callback([o, opt, &app] {
    finish_input_options(*o);
    opt->inputs = o->inputs;
    opt->command_line = app.get_name();
    RunSummary s = run_aggregate(*opt);
    std::cout << format_summary(s);
  });
}

}  // namespace hotspot::cli
