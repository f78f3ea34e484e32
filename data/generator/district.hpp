#pragma once
// The synthetic district: its outline, the communes that tile it, the industrial zones with their
// gates, and the roads. Everything is built in EPSG:9210 metres.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "geo.hpp"

namespace datagen {

struct DistrictOptions {
  std::uint64_t seed = 20240101;  // DEFAULT: 20240101
  int communes = 20;              // DEFAULT: 20 (the An Duong names); more scale the district up
  int zones = 3;                  // DEFAULT: 3; zone 1 always touches exactly four communes
};

// Reject sampling keeps incidents this far inside the outline, so that rounding lon/lat to six
// decimals (at most ~0.06 m) and the engine's own reprojection can never push one outside.
constexpr double kInnerMarginM = 2.0;
constexpr double kMeanCommuneAreaM2 = 6.5e6;  // 5-8 km2 per commune at any scale
constexpr double kZone1AreaM2 = 4.01e6;       // 401 ha

struct Commune {
  std::string id, name;
  int population = 0;
  Pt seed;
  GeomPtr geom;      // Polygon or MultiPolygon, vertices on the millimetre grid
  PointInRings pip;  // for sampling points inside it
  double area_m2 = 0;
};

struct Zone {
  std::string id, name;
  Ring lonlat;              // the GeoJSON vertices, already rounded to 7 decimals
  Ring metres;              // the same vertices projected back: what a reader of the GeoJSON sees
  double area_m2 = 0;       // of `metres`
  std::array<Pt, 2> gates;  // on the boundary, metres
  std::vector<std::string> communes;  // ids of the communes it intersects (zone 1: exactly 4)
};

struct Road {
  std::vector<Pt> pts;
  std::vector<double> cum_m;  // distance along the road at each vertex
  double length_m() const { return cum_m.empty() ? 0 : cum_m.back(); }
};

struct District {
  Pt centre;
  Ring outline;                // closed, millimetre grid
  double outline_area_m2 = 0;  // of the tessellation: equals the sum of commune areas
  PointInRings inner;          // outline shrunk by kInnerMarginM
  std::vector<Commune> communes;
  std::vector<Zone> zones;
  std::vector<Road> roads;
};

// Deterministic for a given seed and options (and GEOS / PROJ versions).
District build_district(const Geos& geos, Projector& proj, const DistrictOptions& opt);

}  // namespace datagen
