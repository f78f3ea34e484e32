#pragma once
// A static 2D kd-tree over points, stored in tree order, for HDBSCAN (k nearest neighbours and the
// Boruvka component queries that need per-node annotations nanoflann does not offer).
#include <cstdint>
#include <span>
#include <vector>

namespace hotspot::cluster_detail {

struct KdTree {
  struct Node {
    double xmin, ymin, xmax, ymax;
    std::uint32_t begin, end;            // points [begin, end) in tree order
    std::int32_t left = -1, right = -1;  // -1 for leaves
  };
  std::vector<std::uint32_t> index;  // tree position -> input index
  std::vector<double> x, y;          // coordinates in tree order
  std::vector<Node> nodes;           // nodes[0] is the root

  KdTree(std::span<const double> px, std::span<const double> py, std::uint32_t leaf_size = 16);

  double box_d2(const Node& nd, double px, double py) const {
    double dx = px < nd.xmin ? nd.xmin - px : (px > nd.xmax ? px - nd.xmax : 0.0);
    double dy = py < nd.ymin ? nd.ymin - py : (py > nd.ymax ? py - nd.ymax : 0.0);
    return dx * dx + dy * dy;
  }
  // Squared distance to the k-th nearest point of tree position p, p itself counted (k >= 1).
  double kth_d2(std::uint32_t p, int k) const;

 private:
  static constexpr int kSmallK = 64;
  double kth_d2_small(std::uint32_t p, int k) const;
};

}  // namespace hotspot::cluster_detail
