#pragma once
// Counting incidents into communes and industrial zones, and the zone <-> commune linkage that
// the joint "security maintenance cooperation" of communes and industrial parks is built on.
#include <cstdint>
#include <string>
#include <vector>

#include "hotspot/geometry.hpp"
#include "hotspot/ingest.hpp"

namespace hotspot {

// Where each incident lies. A point on a boundary shared by two polygons belongs to exactly one
// of them (see index/polygon_index.hpp); where polygons overlap, the lowest-numbered one wins.
struct Assignment {
  std::vector<std::int32_t> commune;  // -1: outside every commune
  std::vector<std::int32_t> zone;     // -1: outside every zone
  std::int64_t outside_communes = 0;
};

Assignment assign_incidents(const Incidents& incidents, const PolygonLayer& communes,
                            const PolygonLayer& zones, int threads);

struct CommuneStats {
  std::vector<std::int64_t> count;
  std::vector<std::int64_t> by_category;  // count[c * n_categories + k]
  std::size_t n_categories = 0;
  std::vector<double> area_km2;
  std::vector<double> per_km2;
  std::vector<double> per_1000;  // per 1,000 residents; NaN without population
};

CommuneStats commune_stats(const Incidents& incidents, const PolygonLayer& communes,
                           const Assignment& a);

// Pairs of polygons whose interiors overlap, with the overlap area (km²), found by sweeping
// bounding boxes and testing candidate pairs with GEOS. Tessellations like commune layers should
// have none; where they do, incidents in the overlap go to the polygon listed first.
struct Overlap {
  std::int32_t a = -1, b = -1;
  double area_km2 = 0;
};
std::vector<Overlap> find_overlaps(const PolygonLayer& layer);

// One row of zone_communes: a commune that meets an industrial zone or its buffer.
struct ZoneCommune {
  std::int32_t zone = -1, commune = -1;
  double shared_area_km2 = 0;         // commune ∩ zone
  double ring_area_km2 = 0;           // commune ∩ (zone buffer − zone)
  double fence_length_m = 0;          // length of the zone's boundary that runs inside the commune
  std::int64_t incidents_shared = 0;  // incidents of this commune inside the zone
  std::int64_t incidents_ring = 0;    // incidents of this commune in the zone's buffer ring
  MultiPolygon geom;                  // commune ∩ zone buffer
};

struct ZoneStats {
  std::vector<std::int64_t> count_inside, count_ring;
  std::vector<double> area_ha, ring_area_ha, per_ha;
  std::vector<MultiPolygon> buffer;  // zone grown by buffer_m
  std::vector<ZoneCommune> links;    // ordered by zone, then commune
};

// Ring counts: an incident in the buffer ring of several zones counts for each of them.
ZoneStats zone_stats(const Incidents& incidents, const PolygonLayer& communes,
                     const PolygonLayer& zones, const Assignment& a, double buffer_m);

// ---- Analysis grids (aggregate/grid.cpp) ------------------------------------------------------
// The spec of a generated grid (hexagons or fishnet squares), parsed once from "hex:250" or
// "square:250".
enum class CellShape { kHex, kSquare };

// size_m: distance between the centres of adjacent cells. Hexagons are pointy-top, so this is
// their width across the flats (area √3/2·size²); squares have side size (area size²).
struct GridSpec {
  CellShape shape = CellShape::kHex;  // DEFAULT: hexagons
  double size_m = 0;                  // REQUIRES: > 0 (data units for planar data)
};

// "hex:250" or "square:250" (metres, or data units for planar input); throws ParameterError
// naming `parameter` ("grid"). `auto` is not handled here (it needs the data).
GridSpec parse_grid_spec(const std::string& text, const std::string& parameter);
// The text parse_grid_spec reads back to the same spec ("hex:250").
std::string grid_spec_text(const GridSpec& spec);

}  // namespace hotspot
