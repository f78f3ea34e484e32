#pragma once
// hotspot run: one configuration file (schemas/run.schema.json), one process, one GeoPackage with
// every layer, the run metadata and a QGIS project, plus a quick-look PNG next to it.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "hotspot/distribute.hpp"
#include "hotspot/jobs.hpp"

namespace hotspot {

enum class LogLevel { kError, kWarn, kInfo, kDebug };

struct RunJobOptions {
  std::string config;    // path to run.json
  std::string previous;  // earlier output whose hotspot ids carry over; DEFAULT: the config's, else
                         // the output being replaced
  bool if_changed =
      false;               // skip when the config and input hashes equal those stored in the output
  bool overwrite = false;  // replace an output that hotspot did not write; DEFAULT: refuse
  // All or nothing: the first analysis that fails ends the run and nothing is written. DEFAULT:
  // each analysis fails on its own, the others are written and the result lists the failure
  // (RunSummary::failed; the CLI exits with 5).
  bool strict = false;
  int threads = -1;        // DEFAULT (-1): the config's
  std::uint64_t max_memory = 0;  // bytes; DEFAULT (0): the config's max_memory, else half the RAM
  // Log lines (already filtered by nothing: the caller filters by level); may be empty.
  std::function<void(LogLevel, const std::string&)> log;
  // Called as each step starts: its index (1-based), the number of steps, its name; and once more
  // with index = count + 1 when all are done. May be empty.
  std::function<void(int index, int count, const std::string& step)> progress;
  RunDistribution distribution;  // DEFAULT: everything computed in this process (hotspot/distribute.hpp)
};

struct RunJobResult {
  RunSummary run;  // run.failed: the analyses that failed on their own (not with strict)
  bool skipped = false;  // --if-changed and nothing changed
  std::string skip_reason;
  std::string quicklook;     // the PNG written, or empty
  std::string summary_json;  // schemas/run-summary.schema.json
};

// What a check found: one line per input checked, warnings, and the configuration's inputs (paths
// resolved), for validate --config.
struct ConfigCheck {
  std::vector<std::string> checks;
  std::vector<std::string> warnings;
  InputOptions inputs;
};

// Checks everything knowable before the heavy work and throws the first problem, named by its
// JSON path: the schema and every option value; then each input is opened (file readable, layer
// and fields present, CRS parsed; the working CRS projected in metres), the first 1,000 incident
// rows are read with the run's reader, and when an analysis needs times the time column must exist
// and its values parse. Exit codes as ever: 2 configuration, 3 unusable data, 4 a file that cannot
// be opened. Last, with the inputs loaded, the analyses' resource estimates (max_memory 0: the
// configuration's budget). Writes nothing.
ConfigCheck check_run_config(const std::string& path, std::uint64_t max_memory = 0);

// validate --config: check_run_config, then what validate reports on the configuration's inputs
// (every row read), every message spelled as the configuration spells it. `threads` > 0 overrides
// the configuration's; *checked (when given) receives the check.
RunSummary validate_run_config(const std::string& path, int threads, ConfigCheck* checked);

RunJobResult run_job(const RunJobOptions& options);

// hotspot init: a starter configuration for the given inputs.
struct InitOptions {
  std::string communes, incidents, zones;  // paths as they go into the configuration
  std::string out = "hotspot.gpkg";        // output.path
};
struct InitResult {
  std::string config;                   // the JSON document (schemas/run.schema.json)
  std::vector<std::string> notes;       // what was detected and how, one line each
  std::vector<std::string> undetected;  // what could not be detected: "json.path: why"
};
// Detects fields (by name, English or Vietnamese), CRSs (the sources'; a CSV's from its ranges),
// the time format from the first values, and writes every analysis with its defaults; the result
// passes the schema and every option check. Throws IoError for a file that cannot be opened.
InitResult init_run_config(const InitOptions& options);

}  // namespace hotspot
