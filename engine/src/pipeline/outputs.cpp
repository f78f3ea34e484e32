// Shared output helpers of the jobs (moved out of jobs.cpp so that every job writes them alike).
#include "pipeline/outputs.hpp"

#include <gdal.h>
#include <geos_c.h>
#include <proj.h>
#include <sqlite3.h>

#include <filesystem>

#include "hotspot/error.hpp"
#include "util/hash.hpp"

#ifndef HOTSPOT_VERSION
#define HOTSPOT_VERSION "unknown"
#endif

namespace hotspot {

namespace fs = std::filesystem;
using json = nlohmann::json;

RunSummary summarise(const LoadedInputs& in) {
  RunSummary s;
  s.ingest = in.report;
  s.work_crs = in.work_crs.label();
  s.work_crs_reason = in.work_crs_reason;
  s.communes = static_cast<std::int64_t>(in.communes.size());
  s.zones = static_cast<std::int64_t>(in.zones.size());
  s.polygons_repaired = in.communes.repaired + in.zones.repaired;
  for (const auto& d : in.communes.dropped) s.polygons_dropped.push_back("communes " + d);
  for (const auto& d : in.zones.dropped) s.polygons_dropped.push_back("zones " + d);
  s.timings = in.timings;
  s.warnings = in.report.warnings;
  if (in.work_crs.planar())
    s.warnings.push_back("planar data: distances and areas are in data units; *_km2 fields hold units² / 1e6");
  return s;
}

// An output that would overwrite an input is refused before any work.
void refuse_overwriting_inputs(const std::string& out, const InputOptions& in) {
  std::error_code ec;
  for (const std::string* p : {&in.communes.path, &in.zones.path, &in.incidents.path}) {
    if (p->empty()) continue;
    if (fs::exists(out, ec) && fs::equivalent(out, *p, ec))
      throw UsageError("--out '" + out + "' is the same file as the input '" + *p + "'; choose another output");
    if (fs::absolute(out, ec).lexically_normal() == fs::absolute(*p, ec).lexically_normal())
      throw UsageError("--out '" + out + "' is the same file as the input '" + *p + "'; choose another output");
  }
}

json versions() {
  PJ_INFO pj = proj_info();
  return {{"hotspot", HOTSPOT_VERSION},
          {"gdal", GDALVersionInfo("RELEASE_NAME")},
          {"geos", GEOSversion()},
          {"proj", pj.version},
          {"sqlite", sqlite3_libversion()}};
}

json input_json(const std::string& path) {
  if (path.empty()) return nullptr;
  return {{"path", path}, {"sha256", sha256_file(path)}};
}

void write_rejected(GpkgWriter& w, const LoadedInputs& in) {
  LayerWriter& L = w.begin_layer("rejected_incidents", GeometryType::kNone, in.work_crs,
                                 {{"line", FieldType::Integer}, {"reason", FieldType::Text},
                                  {"message", FieldType::Text}, {"raw", FieldType::Text}},
                                 "Incident rows that were not accepted, with the reason");
  for (const auto& r : in.report.rejected) {
    L.set(0, r.line);
    L.set(1, std::string_view(reason_code(r.reason)));
    L.set(2, std::string_view(r.message));
    L.set(3, std::string_view(r.raw));
    L.insert();
  }
}

void write_run_metadata(GpkgWriter& w, const Crs& crs, const std::vector<std::pair<std::string, json>>& rows) {
  LayerWriter& L = w.begin_layer("run_metadata", GeometryType::kNone, crs,
                                 {{"key", FieldType::Text}, {"value", FieldType::Text}},
                                 "Parameters, inputs, software versions and timings of the run (JSON values)");
  for (const auto& [k, v] : rows) {
    L.set(0, std::string_view(k));
    L.set(1, std::string_view(v.dump()));
    L.insert();
  }
}

}  // namespace hotspot
