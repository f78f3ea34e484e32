#pragma once
// Spatial weights between analysis units (polygons or points in the working CRS): one spec parsed
// once from "queen" | "rook" | "knn:K" | "band:D", built into sparse rows (CSR). Implemented in
// src/weights/. Errors name the parameter (`weights`, `snap`, `inverse_distance`).
#include <cstdint>
#include <string>
#include <vector>

#include "hotspot/geometry.hpp"

namespace hotspot {

// Row i lists its neighbours in increasing index order with one weight each.
struct SpatialWeights {
  std::vector<std::int64_t> offset{0};  // size n + 1
  std::vector<std::int32_t> index;      // neighbour of each entry, increasing within a row
  std::vector<double> weight;           // weight of each entry

  std::size_t size() const { return offset.size() - 1; }
  std::size_t cardinality(std::size_t i) const {
    return static_cast<std::size_t>(offset[i + 1] - offset[i]);
  }
  std::vector<std::int32_t> islands() const;  // rows with no neighbour
};

enum class WeightsKind { kQueen, kRook, kKnn, kBand };
// What becomes of units without a neighbour: kept (null statistics) or linked to their nearest
// unit.
enum class IslandPolicy { kKeep, kNearest };

// The snap value that asks for default_snap.
constexpr double kDefaultSnap = -1;
// The largest inverse-distance power: d^-P beyond it underflows or overflows doubles for ordinary
// distances (1e308 is refused, not turned into zero weights); 1 and 2 are usual.
constexpr double kMaxInverseDistancePower = 10;
// A snapping tolerance closes slivers and gaps between neighbours; one above this share of the
// units' extent (its diagonal) links units that do not touch, and at the diagonal every unit
// neighbours all the others. Refused (exit 2).
constexpr double kMaxSnapShareOfExtent = 0.05;

struct WeightsSpec {
  WeightsKind kind = WeightsKind::kQueen;  // DEFAULT: queen
  int k = 0;                               // REQUIRES: 1..1000 for knn
  double band_m = 0;                       // REQUIRES: > 0 for band (data units for planar data)
  // Power p of w = d^-p on knn and band weights. DEFAULT: 0 = binary. REQUIRES: >= 0; 0 for
  // contiguity.
  double inverse_distance = 0;
  // Contiguity snapping tolerance. DEFAULT: kDefaultSnap = default_snap(extent, planar).
  // REQUIRES: >= 0 or kDefaultSnap.
  double snap = kDefaultSnap;
  IslandPolicy islands = IslandPolicy::kKeep;  // DEFAULT: keep
};

// "queen", "rook", "knn:8", "band:750": the kind and its k or band; the other fields stay as
// given. Throws ParameterError("weights", ...).
WeightsSpec parse_weights_spec(const std::string& text, WeightsSpec base = {});
// The text parse_weights_spec reads back to the same kind, k and band ("knn:8").
std::string weights_spec_text(const WeightsSpec& spec);

// The default snapping tolerance of contiguity: 0.5 m, or 1e-7 of the extent's diagonal for
// planar data (whose unit is unknown). One rule for hotspot local and for top's Gi* groups.
double default_snap(const Box& extent, bool planar);

// Analysis units: polygons (contiguity, or knn/band between their centroids) or points.
struct WeightUnits {
  bool points = false;
  std::vector<MultiPolygon> polygons;  // REQUIRES: empty for points
  std::vector<XY> xy;                  // the points, or the polygons' centroids (centroids())
  bool planar = false;                 // data units, not metres
};

struct BuiltWeights {
  SpatialWeights w;                   // binary, or inverse distance; islands attached if asked
  std::vector<std::int32_t> islands;  // units that had no neighbour (before any was attached)
  double snap = 0;                    // contiguity: the tolerance used
  double band_m = 0;                  // band: the distance used
  std::string description;            // "queen contiguity (snap 0.5 m)", "6 nearest neighbours"
};

// Weights -> islands (attached to their nearest unit under kNearest) -> inverse distance.
// Throws ParameterError("weights") for contiguity on points, ParameterError("inverse_distance")
// for inverse distance on contiguity.
BuiltWeights build_weights(const WeightsSpec& spec, const WeightUnits& units);

// Representative point of each polygon (area-weighted centroid of the shells minus holes).
std::vector<XY> centroids(const std::vector<MultiPolygon>& polys);

}  // namespace hotspot
