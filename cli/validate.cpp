// hotspot validate: reads and checks every input, reports problems, writes nothing.
#include <iostream>
#include <map>
#include <memory>

#include "hotspot/run.hpp"
#include "options.hpp"

namespace hotspot::cli {

void add_validate(CLI::App& app) {
  auto* cmd = app.add_subcommand("validate", "Check the inputs and report problems without writing anything");
  auto o = std::make_shared<CommonInputs>();
  auto show = std::make_shared<int>(10);
  auto config = std::make_shared<std::string>();
  add_input_options(*cmd, *o);
  // With --config the inputs come from a run configuration instead of the flags.
  cmd->get_option("--communes")->required(false);
  cmd->get_option("--incidents")->required(false);
  cmd->add_option("--config", *config,
                  "Validate the inputs of a run configuration (and run its --check first)");
  cmd->add_option("--show-rejects", *show, "How many rejected rows to print")->capture_default_str();
  cmd->callback([cmd, o, show, config] {
    if (!config->empty()) {
      for (const auto* opt : cmd->get_options())
        if (opt->count() > 0 && opt->get_name() != "--config" && opt->get_name() != "--show-rejects" &&
            opt->get_name() != "--threads")
          throw UsageError(opt->get_name() + ": the inputs come from --config; give one or the other");
    }
    RunSummary s;
    if (!config->empty()) {
      ConfigCheck checked;
      s = validate_run_config(*config, o->inputs.threads, &checked);
      for (const auto& c : checked.checks) std::cout << "checked    " << c << "\n";
      print_warnings(checked.warnings);
    } else {
      if (o->inputs.communes.path.empty()) throw UsageError("--communes is required (or give --config)");
      if (o->inputs.incidents.path.empty()) throw UsageError("--incidents is required (or give --config)");
      finish_input_options(*o);
      s = run_validate(o->inputs);
    }
    std::cout << format_summary(s);
    print_warnings(s.warnings);
    int shown = 0;
    for (const auto& r : s.ingest.rejected) {
      if (shown++ >= *show) break;
      std::cout << "  line " << r.line << " " << reason_code(r.reason) << ": " << r.message << "\n";
    }
  });
}

}  // namespace hotspot::cli
