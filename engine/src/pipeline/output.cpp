#include "pipeline/output.hpp"

#include <gdal.h>
#include <geos_c.h>
#include <proj.h>
#include <sqlite3.h>

#include "util/hash.hpp"

#ifndef HOTSPOT_VERSION
#define HOTSPOT_VERSION "unknown"
#endif

namespace hotspot {

using json = nlohmann::json;

json versions_json() {
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

void write_rejected(GpkgWriter& w, const IngestReport& report, const Crs& crs) {
  LayerWriter& L = w.begin_layer("rejected_incidents", GeometryType::kNone, crs,
                                 {{"line", FieldType::Integer},
                                  {"reason", FieldType::Text},
                                  {"message", FieldType::Text},
                                  {"raw", FieldType::Text}},
                                 "Incident rows that were not accepted, with the reason");
  for (const auto& r : report.rejected) {
    L.set(0, r.line);
    L.set(1, std::string_view(reason_code(r.reason)));
    L.set(2, std::string_view(r.message));
    L.set(3, std::string_view(r.raw));
    L.insert();
  }
}

void write_run_metadata(GpkgWriter& w, const Crs& crs,
                        const std::vector<std::pair<std::string, json>>& rows) {
  LayerWriter& L =
      w.begin_layer("run_metadata", GeometryType::kNone, crs,
                    {{"key", FieldType::Text}, {"value", FieldType::Text}},
                    "Parameters, inputs, software versions and timings of the run (JSON values)");
  for (const auto& [k, v] : rows) {
    L.set(0, std::string_view(k));
    L.set(1, std::string_view(v.dump()));
    L.insert();
  }
}

}  // namespace hotspot
