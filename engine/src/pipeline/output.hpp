#pragma once
// Output pieces every job writes: rejected rows, the run_metadata table, software versions and
// input hashes.
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "hotspot/ingest.hpp"
#include "io/gpkg_writer.hpp"

namespace hotspot {

nlohmann::json versions_json();
// {"path", "sha256"}, or null for an empty path.
nlohmann::json input_json(const std::string& path);
void write_rejected(GpkgWriter& w, const IngestReport& report, const Crs& crs);
// One row per key; values are stored as JSON text.
void write_run_metadata(GpkgWriter& w, const Crs& crs,
                        const std::vector<std::pair<std::string, nlohmann::json>>& rows);

}  // namespace hotspot
