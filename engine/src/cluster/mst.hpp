#pragma once
// The exact mutual-reachability minimum spanning tree behind HDBSCAN, exposed for the tests
// (which compare it with a brute-force Prim twin).
#include <cstdint>
#include <span>
#include <vector>

namespace hotspot::cluster_detail {

struct MstEdge {
  std::uint32_t a, b;  // input indices
  double w2;           // squared mutual-reachability distance
};

// min_samples counts the point itself; n - 1 edges in the order Boruvka added them.
std::vector<MstEdge> mutual_reachability_mst(std::span<const double> x, std::span<const double> y,
                                             int min_samples, int threads);

}  // namespace hotspot::cluster_detail
