// hotspot near-repeat: Knox test of incidents close in space and time.
#include <iostream>
#include <memory>

#include "options.hpp"

namespace hotspot::cli {

void add_near_repeat(CLI::App& app) {
  auto* cmd = app.add_subcommand("near-repeat", "Near-repeat (Knox) test: pairs close in space and time vs permutations");
  auto o = std::make_shared<CommonInputs>();
  auto opt = std::make_shared<NearRepeatOptions>();
  opt->knox.space_bands = {0, 100, 200, 400};
  opt->knox.time_bands_days = {0, 7, 14, 28};
  add_input_options(*cmd, *o, /*communes_required=*/false);
  cmd->add_option("--space-bands", opt->knox.space_bands, "Distance band edges, metres (data units if planar)")
      ->delimiter(',')->capture_default_str();
  cmd->add_option("--time-bands", opt->knox.time_bands_days, "Time band edges, days")->delimiter(',')->capture_default_str();
  cmd->add_option("--permutations", opt->knox.permutations, "Monte Carlo permutations of the times")
      ->capture_default_str()->check(CLI::NonNegativeNumber);
  cmd->add_option("--seed", opt->knox.seed, "Random seed (recorded in the output)")->capture_default_str();
  cmd->add_option("--out", opt->out, "Output GeoPackage (written atomically); without it, print only");
  cmd->callback([o, opt, &app] {
    finish_input_options(*o);
    opt->inputs = o->inputs;
    opt->knox.threads = o->inputs.threads;
    opt->command_line = app.get_name();
    NearRepeatSummary s = run_near_repeat(*opt);
    std::cout << format_summary(s.run) << format_knox_table(s.knox, opt->knox);
  });
}

}  // namespace hotspot::cli
