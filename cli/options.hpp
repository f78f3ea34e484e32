#pragma once
// The option set every subcommand shares: inputs, CRS overrides, field names.
#include <CLI/CLI.hpp>

#include <string>

#include "hotspot/error.hpp"
#include "hotspot/jobs.hpp"

namespace hotspot::cli {

struct CommonInputs {
  InputOptions inputs;
  std::string utc_offset = "+07:00";
};

// Communes are required by the commune-based commands (aggregate, validate) and optional for the
// analyses that run on incidents alone.
void add_input_options(CLI::App& app, CommonInputs& o, bool communes_required = true);
// Validates and converts the raw option values; throws UsageError.
void finish_input_options(CommonInputs& o);

// The exit code of an engine error, here and nowhere else: 1 internal, 2 usage or configuration,
// 3 bad input data, 4 I/O.
int exit_code(const Error& e);

// The command line as typed (arguments shell-quoted where needed), for run_metadata.
const std::string& command_line();
void set_command_line(int argc, const char* const* argv);

void add_aggregate(CLI::App& app);
void add_validate(CLI::App& app);
void add_near_repeat(CLI::App& app);
void add_local(CLI::App& app);
void add_emerging(CLI::App& app);
void add_cluster(CLI::App& app);
void add_kde(CLI::App& app);
void add_run(CLI::App& app);
void add_top(CLI::App& app);
void add_brief(CLI::App& app);

}  // namespace hotspot::cli
