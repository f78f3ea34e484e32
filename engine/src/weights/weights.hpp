#pragma once
// Spatial weights as sparse rows (CSR): row i lists its neighbours in increasing index order with
// one weight each. Builders: polygon contiguity (queen/rook with a snapping tolerance), k nearest
// neighbours, distance band; transforms: inverse distance, row standardisation, self inclusion,
// islands attached to their nearest unit. Every builder has a brute-force twin used by the tests.
#include <cstdint>
#include <vector>

#include "hotspot/weights.hpp"

namespace hotspot {

// Rows from neighbour lists (each sorted and deduplicated here), binary weights.
SpatialWeights from_lists(std::vector<std::vector<std::int32_t>> lists);

enum class Contiguity { kQueen, kRook };

// Two polygons are queen neighbours when a vertex of one lies within `snap` of the other's
// boundary, or their edges cross; rook neighbours when those contact points include two that are
// more than `snap` apart (a shared edge, not a single corner). Binary weights.
SpatialWeights contiguity_weights(const std::vector<MultiPolygon>& polys, Contiguity c,
                                  double snap);
SpatialWeights contiguity_weights_brute(const std::vector<MultiPolygon>& polys, Contiguity c,
                                        double snap);

// The k nearest other points (ties broken by the lower index). Not symmetric. Binary weights.
SpatialWeights knn_weights(const std::vector<XY>& pts, int k);
SpatialWeights knn_weights_brute(const std::vector<XY>& pts, int k);

// Every other point at distance <= band (coincident points included). Binary weights.
SpatialWeights band_weights(const std::vector<XY>& pts, double band);
SpatialWeights band_weights_brute(const std::vector<XY>& pts, double band);

// w_ij = d_ij^-power between the points; throws InputError for coincident neighbours.
void apply_inverse_distance(SpatialWeights& w, const std::vector<XY>& pts, double power);

// Adds, for each island, a link to its nearest other point and the link back (ties: lower index).
// Returns the islands that were attached.
std::vector<std::int32_t> attach_islands(SpatialWeights& w, const std::vector<XY>& pts);

// Each row divided by its sum (spdep style "W"); islands stay empty.
SpatialWeights row_standardised(const SpatialWeights& w);

// Row i gains j = i with weight self_weight (spdep include.self). Binary style "B" in spdep.
SpatialWeights with_self(const SpatialWeights& w, double self_weight);

// Smallest band that gives every point at least one neighbour (max nearest-neighbour distance).
double max_nearest_distance(const std::vector<XY>& pts);

}  // namespace hotspot
