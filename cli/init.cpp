// hotspot init: a starter run configuration on stdout; what was detected and what was not on
// stderr.
#include <iostream>
#include <memory>

#include "hotspot/run.hpp"
#include "options.hpp"

namespace hotspot::cli {

void add_init(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "init", "Write a starter run configuration for your data on stdout (hotspot init ... > run.json)");
  auto o = std::make_shared<InitOptions>();
  cmd->add_option("--communes", o->communes, "Commune boundaries (any OGR polygon source)")->required();
  cmd->add_option("--incidents", o->incidents, "Incidents: CSV, or any OGR point layer")->required();
  cmd->add_option("--zones", o->zones, "Industrial-zone boundaries (any OGR polygon source)");
  cmd->add_option("--out", o->out, "The output.path the configuration names")->capture_default_str();
  cmd->callback([o] {
    const InitResult r = init_run_config(*o);
    std::cout << r.config;
    for (const auto& n : r.notes) std::cerr << "hotspot: detected: " << n << "\n";
    for (const auto& u : r.undetected) std::cerr << "hotspot: not detected: " << u << "\n";
    if (!r.undetected.empty())
      std::cerr << "hotspot: edit the configuration for the " << r.undetected.size()
                << " item(s) above, then check it with hotspot run --config FILE --check\n";
  });
}

}  // namespace hotspot::cli
