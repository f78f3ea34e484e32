#include "cluster/labels.hpp"

#include <algorithm>
#include <unordered_map>

#include "hotspot/huge_pages.hpp"

namespace hotspot::cluster_detail {

void number_clusters(std::span<const std::int64_t> raw, Clustering& out) {
  struct Group {
    std::int64_t size = 0;
    std::size_t first = 0;
  };
  std::unordered_map<std::int64_t, std::size_t> slot;
  std::vector<Group> groups;
  BigVector<std::int32_t> gi(raw.size(), -1);
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] < 0) continue;
    auto [it, fresh] = slot.emplace(raw[i], groups.size());
    if (fresh) groups.push_back({0, i});
    ++groups[it->second].size;
    gi[i] = static_cast<std::int32_t>(it->second);
  }
  std::vector<std::size_t> order(groups.size());
  for (std::size_t g = 0; g < order.size(); ++g) order[g] = g;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (groups[a].size != groups[b].size) return groups[a].size > groups[b].size;
    return groups[a].first < groups[b].first;
  });
  std::vector<std::int32_t> id(groups.size());
  out.size.assign(groups.size(), 0);
  for (std::size_t r = 0; r < order.size(); ++r) {
    id[order[r]] = static_cast<std::int32_t>(r);
    out.size[r] = groups[order[r]].size;
  }
  out.label.assign(raw.size(), -1);
  for (std::size_t i = 0; i < raw.size(); ++i)
    if (gi[i] >= 0) out.label[i] = id[static_cast<std::size_t>(gi[i])];
}

}  // namespace hotspot::cluster_detail
