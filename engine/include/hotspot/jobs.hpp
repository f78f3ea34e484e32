#pragma once
// Whole jobs as the CLI runs them: load -> project -> index -> analyse -> write.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "hotspot/ingest.hpp"
#include "hotspot/spacetime.hpp"

namespace hotspot {

struct InputOptions {
  PolygonOptions communes;  // path empty: no communes (analyses on incidents alone)
  PolygonOptions zones;  // path empty: no zones
  IncidentOptions incidents;
  std::string work_crs;  // DEFAULT: first projected metre CRS among the inputs, else UTM of the data
  int threads = 0;       // DEFAULT: 0 = all cores
};

struct AggregateOptions {
  InputOptions inputs;
  double zone_buffer_m = 1000;  // DEFAULT: 1000
  std::string out;              // .gpkg path
  std::string command_line;     // recorded in the run metadata
};

struct StepTime {
  std::string step;
  double seconds = 0;
};

struct RunSummary {
  IngestReport ingest;
  std::string work_crs;
  std::string work_crs_reason;
  std::int64_t communes = 0, zones = 0;
  std::int64_t polygons_repaired = 0;
  std::vector<std::string> polygons_dropped;
  std::int64_t outside_communes = -1;    // -1: not computed (the job does not assign communes)
  std::int64_t zone_commune_links = -1;  // -1: not computed
  std::vector<std::pair<std::string, std::int64_t>> layers;  // name, feature count
  std::vector<StepTime> timings;
  std::vector<std::string> warnings;
  std::vector<std::string> details;  // analysis-specific lines (e.g. the chosen bandwidth)
  std::string out;
};

// Reads and checks every input and reports what aggregate would do, writing nothing.
RunSummary run_validate(const InputOptions& options);
RunSummary run_aggregate(const AggregateOptions& options);  // communes required

struct NearRepeatOptions {
  InputOptions inputs;  // communes and zones optional
  KnoxOptions knox;
  std::string out;  // .gpkg path; DEFAULT (empty): print only
  std::string command_line;
};

struct NearRepeatSummary {
  RunSummary run;
  KnoxResult knox;
};

// Every check of the Knox options that needs no data (band edges, permutations); throws
// UsageError.
void check_near_repeat_options(const KnoxOptions& options);
// Knox near-repeat test; writes the near_repeat table (and rejected rows, run metadata) to `out`.
NearRepeatSummary run_near_repeat(const NearRepeatOptions& options);
// The observed/expected table an analyst reads: one row per distance band, one column per time band.
std::string format_knox_table(const KnoxResult& result, const KnoxOptions& options);

// Plain-text summary for the terminal (UTF-8).
std::string format_summary(const RunSummary& s);

}  // namespace hotspot
