#pragma once
// Pieces every job shares (aggregate, cluster, ...): summary of the load stage, the guard against
// overwriting an input, the rejected_incidents layer and the run_metadata table.
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "io/gpkg_writer.hpp"
#include "pipeline/load.hpp"

namespace hotspot {

RunSummary summarise(const LoadedInputs& in);
// Throws UsageError when `out` names one of the input files.
void refuse_overwriting_inputs(const std::string& out, const InputOptions& in);
// Versions of hotspot and of the libraries it links, for run_metadata.
nlohmann::json versions();
// {"path", "sha256"} of an input file, or null for an empty path.
nlohmann::json input_json(const std::string& path);
void write_rejected(GpkgWriter& w, const LoadedInputs& in);
// The run_metadata table: one row per key, values as JSON text.
void write_run_metadata(GpkgWriter& w, const Crs& crs, const std::vector<std::pair<std::string, std::string>>& rows);

}  // namespace hotspot
