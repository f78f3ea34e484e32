#pragma once
// One analysis as a step of a job. A step reads the loaded inputs and adds its layers to an open
// GeoPackage; it never opens, commits or describes the file as a whole. A standalone command
// (hotspot kde, cluster, ...) is load -> one step -> finish_job; `hotspot run` is load -> several
// steps -> finish_job. The job owns what every file has once: rejected_incidents, run_metadata,
// temporal_profiles, peak_hours and the QGIS project.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "hotspot/geometry.hpp"
#include "hotspot/jobs.hpp"
#include "io/gpkg_writer.hpp"
#include "io/styles.hpp"
#include "jobs/load.hpp"

namespace hotspot {

struct RunDistribution;  // hotspot/distribute.hpp

// The stable identity of one hotspot feature (a KDE hotspot zone or a cluster footprint) across
// runs: written as the fields hotspot_id, status, first_seen and days_active.
struct HotspotIdentity {
  std::string hotspot_id;  // "Z12" (zones) or "C7" (clusters); never reused
  std::string status;      // new | persisting | grown | shrunk
  std::string first_seen;  // local date YYYY-MM-DD of the run that first saw it
  std::int64_t days_active = 1;  // as-of date − first_seen + 1
};

// A grid spec in words for a layer name: "hex:500" -> "500 m hex", "square:250" -> "250 m squares";
// "500 data units hex" when `planar`.
std::string grid_words(const std::string& spec, bool planar);

// "C" for clusters, "Z" for hotspot zones: the letter before a hotspot_id's number.
std::string hotspot_id_prefix(const std::string& layer);

// The fields a hotspot layer gets for its identity, in this order, appended after its own fields.
std::vector<FieldDef> identity_fields();
// Writes the identity fields, the first at field index `first`.
void set_identity(LayerWriter& L, int first, const HotspotIdentity& id);

// Matches this run's hotspot features of one layer to the previous run's by overlap. Without a
// previous run every feature is new, numbered in the given order.
using IdentifyFn = std::function<std::vector<HotspotIdentity>(const std::string& layer,
                                                              const std::vector<MultiPolygon>& geoms)>;

struct StepContext {
  const LoadedInputs& in;
  GpkgWriter& w;
  std::string gpkg_name;  // file name of the final output ("demo.gpkg"), for QGIS data sources
  int threads = 0;        // resolved: >= 1
  IdentifyFn identify;    // empty: every hotspot is new (see identify() below)
  // Progress notes for the user (a run's log at info level); may be empty.
  std::function<void(const std::string&)> log;
  // Parts computed outside this process (hotspot.dask); null or empty hooks: here. Not owned.
  const RunDistribution* distribution = nullptr;

  // QGIS data source of a vector layer or the raster table in this GeoPackage.
  std::string vector_source(const std::string& layer) const { return "./" + gpkg_name + "|layername=" + layer; }
  std::string raster_source(const std::string& table) const { return "GPKG:./" + gpkg_name + ":" + table; }
};

// ctx.identify(layer, geoms), or "new" identities numbered from 1 with the layer's prefix when the
// context has none.
std::vector<HotspotIdentity> identify(const StepContext& ctx, const std::string& layer,
                                      const std::vector<MultiPolygon>& geoms);

// A 24 × 7 profile source that owns its data: feature_of has one entry per loaded incident
// (ctx.in.incidents), -1 for incidents outside every feature or filtered out by the step.
struct OwnedProfileSource {
  std::string layer;
  std::vector<std::string> ids;  // feature_id values, as written in the layer
  std::vector<std::int32_t> feature_of;
};

// What a step adds to the job. Layers and project entries are in the order they should be listed.
struct StepResult {
  std::string name;  // "kde", "clusters", "local_communes", ...: key in run_metadata and --json
  std::vector<std::pair<std::string, std::int64_t>> layers;  // name, feature count (raster: cells)
  std::vector<std::string> details;   // summary lines for the terminal, as format_summary prints them
  std::vector<std::string> warnings;
  std::vector<StepTime> timings;      // this step's own stages
  std::vector<ProjectLayer> project;  // for the QGIS project, top first
  std::vector<OwnedProfileSource> profiles;
  nlohmann::json parameters = nlohmann::json::object();  // resolved options (the chosen bandwidth, ...)
  nlohmann::json counts = nlohmann::json::object();      // what it counted
  std::uint64_t seed = 0;  // 0: no randomness
};

// A standalone command's summary takes its one step's timings, warnings and layers (its details
// only where the command prints no table of its own).
void add_step(RunSummary& s, const StepResult& r);
// Appends `part` to `into` (one step made of several, e.g. aggregate and profiles); parameters and
// counts are merged key by key, the seed is kept if `into` has none.
void merge_step(StepResult& into, StepResult&& part);

// What every job writes once, after its steps: rejected_incidents; temporal_profiles and
// peak_hours for every step's profile sources; the QGIS project with every step's layers (when
// project_title is set and some step gave any); run_metadata. Then it commits the file.
// run_metadata keys: parameters, inputs, versions, seed, counts, timings_s (s.timings), warnings
// (s.warnings), each written as given.
struct JobMetadata {
  nlohmann::json parameters;  // the command's resolved parameters (a run: the config and each step's)
  nlohmann::json inputs;      // input_hashes() plus any extra input file
  nlohmann::json counts;      // read, accepted, rejected, and what the steps counted
  nlohmann::json seed;        // null when nothing is random
  std::string project_title;  // DEFAULT (empty): no QGIS project
  std::vector<std::pair<std::string, nlohmann::json>> extra;  // further run_metadata rows
};
void finish_job(GpkgWriter& w, const LoadedInputs& in, const RunSummary& s, const std::vector<StepResult>& steps,
                const JobMetadata& meta, int utc_offset_minutes);

}  // namespace hotspot

namespace hotspot {

// One standalone command: refuse to overwrite an input -> load -> one step -> finish_job. Each
// command (hotspot kde, cluster, ...) is its option checks and this.
struct SingleStepJob {
  std::string command;       // "kde": run_metadata's parameters.command
  std::string command_line;  // as typed, recorded in run_metadata
  InputOptions inputs;
  std::string out;  // the GeoPackage
  // Further input files, by run_metadata key ({"mask", path}): never overwritten, hashed.
  std::vector<std::pair<std::string, std::string>> extra_inputs;
  std::string project_title;  // DEFAULT (empty): no QGIS project
  std::function<StepResult(const StepContext&)> step;
};

// The summary holds the load's figures and the step's timings, warnings and layers (not its
// details: a command that wants them printed copies them); `result`, when given, the step's own.
RunSummary run_single_step(const SingleStepJob& job, StepResult* result = nullptr);

}  // namespace hotspot
