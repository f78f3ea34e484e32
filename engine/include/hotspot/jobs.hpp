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
  int threads = 0;       // DEFAULT: 0 = all cores; REQUIRES: >= 0 (above the cores: clamped)
  // DEFAULT: false: an existing output that is not a GeoPackage written by hotspot is refused.
  bool overwrite = false;
  // Memory budget in bytes for the estimates made before an analysis allocates (exit 2 or 3 when
  // one exceeds it). DEFAULT (0): half the physical memory.
  std::uint64_t max_memory = 0;
};

// The memory budget: --max-memory / max_memory; DEFAULT (0): half the physical memory.
std::uint64_t physical_memory_bytes();
std::uint64_t resolve_max_memory(std::uint64_t requested);
// "512M", "4G", "4GiB", "1.5G", "1073741824" (bytes); K, M, G, T are powers of 1024; at least 1M.
// Throws UsageError with the problem.
std::uint64_t parse_memory_size(const std::string& text);

struct StepTime {
  std::string step;
  double seconds = 0;
};

// An analysis of a run that failed on its own; the run wrote every other layer (exit 5).
struct FailedAnalysis {
  std::string name;        // "emerging", "near_repeat", ...: as in run_metadata and --json
  std::string error;       // the message, as the analysis alone would have printed it
  std::string exit_class;  // "usage", "input", "io" or "internal"
  int exit_code = 1;       // what the analysis alone would have exited with
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
  std::vector<FailedAnalysis> failed;  // hotspot run only: analyses that failed on their own
  std::string out;
};

// Reads and checks every input and reports what aggregate would do, writing nothing.
RunSummary run_validate(const InputOptions& options);

// Plain-text summary for the terminal (UTF-8).
std::string format_summary(const RunSummary& s);

}  // namespace hotspot
