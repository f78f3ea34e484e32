#pragma once
// The option set every subcommand shares: inputs, CRS overrides, field names.
#include <CLI/CLI.hpp>

#include <string>

#include "hotspot/jobs.hpp"

namespace hotspot::cli {

struct CommonInputs {
  InputOptions inputs;
  std::string utc_offset = "+07:00";
};

void add_input_options(CLI::App& app, CommonInputs& o);
// Validates and converts the raw option values; throws UsageError.
void finish_input_options(CommonInputs& o);

void add_aggregate(CLI::App& app);
void add_validate(CLI::App& app);

}  // namespace hotspot::cli
