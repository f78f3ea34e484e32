#pragma once
// What every job writes besides its own layers: the run summary skeleton, the refusal to
// overwrite an input, rejected rows, software versions and the run_metadata table.
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "hotspot/jobs.hpp"
#include "io/gpkg_writer.hpp"
#include "pipeline/load.hpp"

namespace hotspot {

RunSummary summarise(const LoadedInputs& in);
// An output that would overwrite an input is refused before any work (UsageError).
void refuse_overwriting_inputs(const std::string& out, const InputOptions& in);
nlohmann::json versions();
// {"path": ..., "sha256": ...}, or null for an empty path.
nlohmann::json input_json(const std::string& path);
void write_rejected(GpkgWriter& w, const LoadedInputs& in);
// The run_metadata table: one row per key, JSON values.
void write_run_metadata(GpkgWriter& w, const Crs& crs, const std::vector<std::pair<std::string, nlohmann::json>>& rows);

}  // namespace hotspot
