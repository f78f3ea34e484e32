#pragma once
// Pieces every job's output shares: refusing to overwrite an input, input hashes, software
// versions, the rejected_incidents table and the run_metadata table.
#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

#include "hotspot/jobs.hpp"
#include "io/gpkg_writer.hpp"
#include "jobs/load.hpp"

namespace hotspot {

// The run summary of the load stage (counts, CRS, polygons repaired and dropped, timings).
RunSummary summarise(const LoadedInputs& in);
// {"read", "accepted", "rejected"}: how the load accounted for every row, for run_metadata's counts.
nlohmann::json load_counts(const RunSummary& s);
// The communes', zones' and incidents' paths (empty where not given).
std::vector<std::string> input_paths(const InputOptions& in);
// The files GDAL reads for the input `path`: the file itself and, for a Shapefile (.shp, .shx or
// .dbf), its .shp/.shx/.dbf/.prj/.cpg/.qix/.sbn/.sbx siblings.
std::vector<std::string> files_read_with(const std::string& path);
// The input file (or an input's sidecar, see files_read_with) that writing `out` would replace
// (the same file, or the same absolute path), or "".
std::string overwritten_input(const std::string& out, const std::vector<std::string>& inputs);
// Throws UsageError when `out` is one of the inputs; the message calls it `out_name`.
void refuse_overwriting_inputs(const std::string& out, const std::vector<std::string>& inputs,
                               const std::string& out_name = "--out");

// The files a source is made of: a Shapefile's .shp, .shx, .dbf, .prj, .cpg (and .qix, .sbn,
// .sbx, .qpj when present), a MapInfo table's .tab/.dat/.map/.id/.ind, a GeoPackage and its -wal,
// every file of a folder; else the file itself. Sorted.
std::vector<std::string> source_files(const std::string& path);
// {"path", "sha256", "files": {name: sha256}} of an input source, or null for an empty path.
// sha256 covers every file of source_files (one file: that file's hash). known_sha256, when given
// for a one-file source, is that file's hash already taken while reading it: the file is not read
// a second time.
nlohmann::json input_json(const std::string& path, const std::string& known_sha256 = "");
// Replaces hashes["incidents"]'s sha256 with the hash of exactly the CSV bytes the load parsed
// (and adds "bytes"); does nothing for other sources.
void record_parsed_incidents(nlohmann::json& hashes, const LoadedInputs& in);
// {"communes": {"path", "sha256"} | null, "zones": ..., "incidents": ...}. incidents_sha256: the
// hash the load took of a CSV while parsing it (LoadedInputs::incidents_sha256), if loaded already.
nlohmann::json input_hashes(const InputOptions& io, const std::string& incidents_sha256 = "");
// hotspot, GDAL, GEOS, PROJ and SQLite versions.
nlohmann::json versions();

void write_rejected(GpkgWriter& w, const LoadedInputs& in);
void write_rejected(GpkgWriter& w, const IngestReport& report, const Crs& crs);
// run_metadata(key, value): each value a JSON document.
void write_run_metadata(GpkgWriter& w, const Crs& crs, const std::vector<std::pair<std::string, nlohmann::json>>& rows);
// run_metadata of an existing output as {key: value}; null when the file or the table is missing.
nlohmann::json read_run_metadata(const std::string& gpkg);
// The incident-reading part of the parameters: fields found, CRSs, offsets.
nlohmann::json ingest_parameters(const InputOptions& io, const LoadedInputs& in);
nlohmann::json timings_json(const std::vector<StepTime>& timings);

// The features of one layer whose incidents get a 24 x 7 profile: feature_of[i] is incident i's
// feature (an index into ids) or -1.
struct ProfileSource {
  std::string layer;
  std::vector<std::string> ids;
  const std::vector<std::int32_t>& feature_of;
};
// Tables temporal_profiles (layer, feature_id, weekday 0 = Monday, hour, incidents: all 168
// cells of every feature, local time) and peak_hours (the 3-hour window of the day with the most
// incidents, its share and the busiest weekday), keyed so that QGIS can join them on feature_id.
void write_temporal_profiles(GpkgWriter& w, const Crs& crs, const std::vector<ProfileSource>& sources,
                             const std::vector<std::int64_t>& time_utc, int utc_offset_minutes);

}  // namespace hotspot
