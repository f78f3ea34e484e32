// hotspot emerging: emerging hot spot analysis on a space-time cube of grid cells x time steps.
#include <iostream>
#include <memory>

#include "hotspot/emerging.hpp"
#include "options.hpp"

namespace hotspot::cli {

void add_emerging(CLI::App& app) {
  auto* cmd = app.add_subcommand("emerging", "Emerging hot spots: space-time Gi* on a grid x time-step cube, 17 patterns");
  auto o = std::make_shared<CommonInputs>();
  auto opt = std::make_shared<EmergingOptions>();
  add_input_options(*cmd, *o, /*communes_required=*/false);
  cmd->add_option("--grid", opt->grid, "Cells: hex:SIZE or square:SIZE (metres)")->required();
  cmd->add_option("--time-step", opt->time_step, "Time step: Nd, Nw (Monday-based) or Nmo")->capture_default_str();
  cmd->add_option("--band", opt->band, "Spatial neighbourhood, metres (default 1.5 x cell size: the first ring)");
  cmd->add_option("--neighbourhood-time", opt->neighbourhood_time, "Previous time steps in each bin's neighbourhood")
      ->capture_default_str();
  cmd->add_option("--alpha", opt->alpha, "Significance level of bins and trends")->capture_default_str();
  cmd->add_option("--out", opt->out, "Output GeoPackage (written atomically)")->required();
  cmd->callback([o, opt] {
    finish_input_options(*o);
    opt->inputs = o->inputs;
    opt->command_line = command_line();
    EmergingSummary s = run_emerging(*opt);
    std::cout << format_summary(s.run);
    std::cout << "cube       " << s.cells << " cells x " << s.steps << " steps of " << opt->time_step << " ("
              << s.empty_steps << " without incidents); band " << s.band << ", neighbourhood time "
              << opt->neighbourhood_time << "\n";
    for (const auto& [name, n] : s.categories)
      if (n > 0) std::cout << "  " << name << ": " << n << "\n";
  });
}

}  // namespace hotspot::cli
