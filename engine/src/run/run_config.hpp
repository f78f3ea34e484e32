#pragma once
// The run configuration (schemas/run.schema.json): read, checked against the schema compiled into
// the binary, and checked for what a schema cannot say (files exist, layer names are unique). Every
// problem is a UsageError that names the JSON path: "analyses[2].cell_size: must be > 0".
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "hotspot/error.hpp"
#include "hotspot/jobs.hpp"
#include "hotspot/top.hpp"
#include "io/lines.hpp"

namespace hotspot {

struct AnalysisConfig {
  std::string type;    // aggregate | kde | clusters | local | emerging | near_repeat | profiles
  std::string where;   // "analyses[2]", for messages
  nlohmann::json options;

  // The analysis' name (kde and local; "" when not named).
  std::string name() const;
  // Its step: the key of run_metadata's analyses and of the summary's: the type ("kde"), a named
  // kde's "kde_NAME", a local analysis' layer.
  std::string step() const;
};

// A local analysis' layer: its `layer`, else local_UNITS, with _NAME for a named one.
std::string local_layer(const nlohmann::json& options);

struct RunConfig {
  std::string path;           // the configuration file
  std::string title = "hotspot run";
  InputOptions inputs;        // paths resolved against the configuration's directory
  LineOptions roads;          // DEFAULT (empty path): no roads on the maps
  // One patrol briefing per named window, written beside the output as OUT-<name>.pdf; in/out
  // are filled in, the window checked. DEFAULT: none.
  std::vector<std::pair<std::string, BriefOptions>> briefings;
  std::string out;            // the GeoPackage
  std::string previous;       // DEFAULT (empty): the output being replaced
  bool quicklook = true;
  int quicklook_width = 1600;
  std::vector<AnalysisConfig> analyses;
  nlohmann::json document;    // as read
  std::string sha256;         // of the canonical document (key order and spacing do not matter)
};

// The most analyses one configuration may hold (the schema's maxItems): at most one of each type
// but kde and local (one per named window), so more than a few dozen is a generated file gone wrong.
constexpr std::size_t kMaxAnalyses = 100;

// The schema the binary validates against (schemas/run.schema.json at build time).
const char* run_schema_text();

// Reads and checks `path`. Throws UsageError (exit 2) for every configuration problem.
RunConfig load_run_config(const std::string& path);
// The same for a configuration's text; relative paths are resolved against `path`'s directory.
RunConfig parse_run_config(const std::string& text, const std::string& path);

// The options of a configuration's inputs.incidents (already checked against the schema), paths
// resolved against `config_path`'s directory; throws UsageError naming the key of a bad value.
IncidentOptions incident_options(const nlohmann::json& incidents, const std::string& config_path);

// Checks a parsed document against the schema; throws UsageError naming the first problems' paths.
void validate_against_schema(const nlohmann::json& document);

}  // namespace hotspot
