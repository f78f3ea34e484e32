#pragma once
// A coordinate reference system as a plain value. The PROJ/OGR machinery stays in src/crs.
#include <string>

#include "hotspot/geometry.hpp"

namespace hotspot {

struct Crs {
  enum class Kind { kGeographic, kProjected, kPlanar };

  Kind kind = Kind::kPlanar;
  std::string wkt;         // WKT2; empty for planar
  std::string name;        // e.g. "VN-2000 / TM-3 105-45", or "planar"
  std::string authority;   // e.g. "EPSG:9210"; empty when the CRS has no code
  Box area_of_use_lonlat;  // empty when unknown (planar, custom CRS)
  bool metres = false;     // projected with a linear unit of exactly 1 m
  // The CRS is its authority's own definition (up to names): PROJ builds it from the code, so its
  // datum and parts keep their identifiers, which a WKT 2 text gives only for the whole CRS.
  bool registry = false;

  bool planar() const { return kind == Kind::kPlanar; }
  bool geographic() const { return kind == Kind::kGeographic; }
  // "EPSG:9210 (VN-2000 / TM-3 105-45)" or "planar (undefined Cartesian)".
  std::string label() const;
  // Same CRS up to naming (PROJ's equivalence test).
  bool same_as(const Crs& other) const;
};

// Parses anything PROJ understands ("EPSG:9210", WKT, PROJ strings) or the word "planar".
// Throws UsageError naming `what` (e.g. "--work-crs") when PROJ cannot make sense of it.
Crs parse_crs(const std::string& text, const std::string& what);

// The UTM zone (WGS 84) that contains lon/lat.
Crs utm_crs_for(double lon, double lat);

}  // namespace hotspot
