#pragma once
// Everything that is not incidents.csv: the GeoPackage of communes, the GeoJSON of zones, and the
// two JSON side files (the expected reject counts, and where the structure was planted).
#include <string>

#include "district.hpp"
#include "incidents.hpp"

namespace datagen {

struct RunInfo {
  std::uint64_t seed = 0;
  int communes = 0, zones = 0;
  std::int64_t incidents = 0;
  bool edge_rows = false;
  std::string description;  // goes into the GPKG and GeoJSON layer descriptions
};

void write_communes_gpkg(const Geos& g, const District& d, const RunInfo& run,
                         const std::string& path);
void write_zones_geojson(const District& d, const RunInfo& run, const std::string& path);
// The road centre lines the incidents were drawn along (lon/lat LineStrings, RFC 7946).
void write_roads_geojson(const District& d, Projector& proj, const RunInfo& run, const std::string& path);
void write_expected_rejects(const IncidentReport& rep, const RunInfo& run, const std::string& path);
void write_planted(const District& d, Projector& proj, const IncidentReport& rep,
                   const RunInfo& run, const std::string& path);

}  // namespace datagen
