#pragma once
// A run from a configuration speaks the configuration's language. Engine stages name the options
// they complain about as the command line spells them ("--zones-id-field", "use --permutations
// 399"), because the single-analysis commands are the common caller; a run rewrites each such
// flag into the JSON path the configuration uses ("inputs.zones.id_field", "analyses[4].
// permutations = 399"). One table, here, for every message: errors, warnings, reject notes.
#include <string>
#include <utility>
#include <vector>

#include "hotspot/error.hpp"
#include "run/run_config.hpp"

namespace hotspot {

// flag (with "--") -> JSON path
using FlagPaths = std::vector<std::pair<std::string, std::string>>;

// The input options' flags (--communes-id-field, --x-field, --work-crs, ...) and their paths.
const FlagPaths& input_flag_paths();
// The flags of one analysis' parameters and their paths under `a.where` ("analyses[4].fdr").
FlagPaths analysis_flag_paths(const AnalysisConfig& a);

// `text` with every flag of `paths` (then of input_flag_paths) replaced by its JSON path; a flag
// followed by a number becomes "path = number", and "given with --flag" becomes "given as path".
std::string config_spelled(const std::string& text, const FlagPaths& paths = {});
// Throws an error of the same kind as `e` whose message is config_spelled.
[[noreturn]] void rethrow_config_spelled(const Error& e, const FlagPaths& paths = {});

}  // namespace hotspot
