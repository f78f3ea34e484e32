// hotspot validate: reads and checks every input, reports problems, writes nothing.
#include <iostream>
#include <map>
#include <memory>

#include "options.hpp"

namespace hotspot::cli {

void add_validate(CLI::App& app) {
  auto* cmd = app.add_subcommand("validate", "Check the inputs and report problems without writing anything");
  auto o = std::make_shared<CommonInputs>();
  auto show = std::make_shared<int>(10);
  add_input_options(*cmd, *o);
  cmd->add_option("--show-rejects", *show, "How many rejected rows to print")->capture_default_str();
  cmd->callback([o, show] {
    finish_input_options(*o);
    RunSummary s = run_validate(o->inputs);
    std::cout << format_summary(s);
    int shown = 0;
    for (const auto& r : s.ingest.rejected) {
      if (shown++ >= *show) break;
      std::cout << "  line " << r.line << " " << reason_code(r.reason) << ": " << r.message << "\n";
    }
  });
}

}  // namespace hotspot::cli
