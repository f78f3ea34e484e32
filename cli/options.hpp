#pragma once
// The option set every subcommand shares: inputs, CRS overrides, field names.
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "hotspot/error.hpp"
#include "hotspot/jobs.hpp"

namespace hotspot::cli {

struct CommonInputs {
  InputOptions inputs;
  std::string utc_offset = "+07:00";
  std::string max_memory;  // "4G"; empty: the default budget
  std::string category_case = "fold";
};

// Communes are required by the commune-based commands (aggregate, validate) and optional for the
// analyses that run on incidents alone.
void add_input_options(CLI::App& app, CommonInputs& o, bool communes_required = true);
// Validates and converts the raw option values; throws UsageError.
void finish_input_options(CommonInputs& o);

// Every numeric (FLOAT) option of `app` and its subcommands refuses NaN and infinities (exit 2):
// one check for options outside the parameter tables, which check their own values.
void refuse_non_finite_numbers(CLI::App& app);

// The exit code of an engine error, here and nowhere else: 1 internal, 2 usage or configuration,
// 3 bad input data, 4 I/O.
int exit_code(const Error& e);
// The exit code of a command that ended without an exception (0; 5 for a partial run).
void set_exit_status(int code);
int exit_status();

// Warnings go to stderr, one "hotspot: warning: ..." line each, so stdout carries only results.
void print_warnings(const std::vector<std::string>& warnings);

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
void add_init(CLI::App& app);
void add_evaluate(CLI::App& app);
void add_brief(CLI::App& app);

}  // namespace hotspot::cli
