// hotspot near-repeat: Knox test of incidents close in space and time.
#include <iostream>
#include <memory>

#include "hotspot/jobs/near_repeat.hpp"
#include "options.hpp"
#include "params.hpp"

namespace hotspot::cli {

void add_near_repeat(CLI::App& app) {
  auto* cmd = app.add_subcommand("near-repeat", "Near-repeat (Knox) test: pairs close in space and time vs permutations");
  auto o = std::make_shared<CommonInputs>();
  auto opt = std::make_shared<NearRepeatOptions>();
  add_input_options(*cmd, *o, /*communes_required=*/false);
  auto params = std::make_shared<CliParams<KnoxOptions>>(*cmd, near_repeat_params());
  cmd->add_option("--out", opt->out, "Output GeoPackage (written atomically); without it, print only");
  cmd->callback([o, opt, params] {
    finish_input_options(*o);
    params->apply(opt->knox);
    opt->inputs = o->inputs;
    opt->knox.threads = o->inputs.threads;
    opt->knox.utc_offset_minutes = o->inputs.incidents.utc_offset_minutes;
    opt->command_line = command_line();
    // The time estimate before a long count.
    opt->knox.note = [](const std::string& m) { std::cerr << "note: " << m << "\n"; };
    // A value found wrong against the data (a band wider than the study area) names its
    // parameter; spell it as the flag, as the table's own checks are.
    NearRepeatSummary s;
    with_param_spelling(near_repeat_params().info(), nullptr, CliParams<KnoxOptions>::spelling(),
                        [&] { s = run_near_repeat(*opt); });
    std::cout << format_summary(s.run) << format_knox_table(s.knox, opt->knox, s.planar);
    print_warnings(s.run.warnings);
  });
}

}  // namespace hotspot::cli
