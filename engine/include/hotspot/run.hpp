#pragma once
// hotspot run: one configuration file (schemas/run.schema.json), one process, one GeoPackage with
// every layer, the run metadata and a QGIS project, plus a quick-look PNG next to it.
#include <functional>
#include <string>

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
  // Log lines (already filtered by nothing: the caller filters by level); may be empty.
  std::function<void(LogLevel, const std::string&)> log;
  // Called as each step starts: its index (1-based), the number of steps, its name; and once more
  // with index = count + 1 when all are done. May be empty.
  std::function<void(int index, int count, const std::string& step)> progress;
};

struct RunJobResult {
  RunSummary run;  // run.failed: the analyses that failed on their own (not with strict)
  bool skipped = false;  // --if-changed and nothing changed
  std::string skip_reason;
  std::string quicklook;     // the PNG written, or empty
  std::string summary_json;  // schemas/run-summary.schema.json
};

// Checks the configuration (schema, files, option values) and throws UsageError naming the JSON
// path of the first problem. Does no work.
void check_run_config(const std::string& path);

RunJobResult run_job(const RunJobOptions& options);

}  // namespace hotspot
