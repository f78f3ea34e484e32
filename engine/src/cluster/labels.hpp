#pragma once
// Shared pieces of the clustering algorithms: union-find and the deterministic cluster numbering.
#include <cstdint>
#include <vector>

#include "hotspot/cluster.hpp"

namespace hotspot::cluster_detail {

class UnionFind {
 public:
  explicit UnionFind(std::size_t n) : parent_(n) {
    for (std::size_t i = 0; i < n; ++i) parent_[i] = static_cast<std::uint32_t>(i);
  }
  std::uint32_t find(std::uint32_t a) {
    while (parent_[a] != a) {
      parent_[a] = parent_[parent_[a]];
      a = parent_[a];
    }
    return a;
  }
  // The smaller root becomes the parent, so roots do not depend on the order of unions.
  bool unite(std::uint32_t a, std::uint32_t b) {
    a = find(a);
    b = find(b);
    if (a == b) return false;
    if (a < b)
      parent_[b] = a;
    else
      parent_[a] = b;
    return true;
  }

 private:
  std::vector<std::uint32_t> parent_;
};

// raw[i]: any non-negative group key per point (-1 noise). Returns the Clustering labels and sizes
// with ids ordered by size descending, ties by the smallest point index in the group.
void number_clusters(const std::vector<std::int64_t>& raw, Clustering& out);

}  // namespace hotspot::cluster_detail
