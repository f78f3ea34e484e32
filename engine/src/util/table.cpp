#include "hotspot/table.hpp"

#include <bit>
#include <functional>

#include "hotspot/geometry.hpp"

namespace hotspot {

std::uint32_t Dictionary::intern(std::string_view s) {
  if (slots_.size() < 2 * (labels_.size() + 1)) {
    // A power of two: probes wrap with a mask. (4 * (n + 1) was not, which left slots unreachable
    // and looped forever past 8 labels; found by the CSV fuzzer.)
    slots_.assign(std::bit_ceil(std::max<std::size_t>(16, 4 * (labels_.size() + 1))), kNone);
    for (std::uint32_t i = 0; i < labels_.size(); ++i) {
      std::size_t h = std::hash<std::string_view>{}(labels_[i]) & (slots_.size() - 1);
      while (slots_[h] != kNone) h = (h + 1) & (slots_.size() - 1);
      slots_[h] = i;
    }
  }
  std::size_t h = std::hash<std::string_view>{}(s) & (slots_.size() - 1);
  while (slots_[h] != kNone) {
    if (labels_[slots_[h]] == s) return slots_[h];
    h = (h + 1) & (slots_.size() - 1);
  }
  slots_[h] = static_cast<std::uint32_t>(labels_.size());
  labels_.emplace_back(s);
  return slots_[h];
}

Box bounds(const MultiPolygon& mp) {
  Box b;
  for (const auto& poly : mp)
    for (XY p : poly.shell) b.expand(p);
  return b;
}

}  // namespace hotspot
