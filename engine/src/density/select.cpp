// The incidents a surface is estimated from: the shared time window and category choice
// (hotspot/window.hpp), then the mask.
#include "hotspot/density.hpp"
#include "hotspot/error.hpp"
#include "hotspot/ingest.hpp"
#include "hotspot/window.hpp"
#include "index/polygon_index.hpp"
#include "util/parallel.hpp"

namespace hotspot {

KdePoints select_points(const std::vector<double>& x, const std::vector<double>& y,
                        const std::vector<double>& w, const std::vector<std::int64_t>& time_utc,
                        const std::vector<std::uint32_t>& category,
                        const std::vector<char>& category_ok, const TimeWindow& window,
                        int utc_offset_minutes) {
  if (y.size() != x.size() || time_utc.size() != x.size() || category.size() != x.size() ||
      (!w.empty() && w.size() != x.size()))
    throw InternalError("kde: incident columns differ in length");
  KdePoints p;
  for (std::size_t i = 0; i < x.size(); ++i) {
    switch (window_miss(window, category_ok, category[i], time_utc[i], /*date_only=*/false,
                        utc_offset_minutes)) {
      case WindowMiss::kInside: break;
      case WindowMiss::kCategory: ++p.by_category; continue;
      case WindowMiss::kUntimed: ++p.no_time; continue;
      case WindowMiss::kHour: ++p.by_hour; continue;
      case WindowMiss::kDate:
        ++p.by_date;
        continue;
      case WindowMiss::kWeekday:
        ++p.by_weekday;
        continue;
    }
    p.x.push_back(x[i]);
    p.y.push_back(y[i]);
    p.index.push_back(i);
    if (!w.empty()) p.w.push_back(w[i]);
  }
  return p;
}

void drop_outside(KdePoints& p, const std::vector<MultiPolygon>& mask, int threads) {
  const PolygonIndex index(mask);
  // The point-in-polygon tests in parallel (a million incidents in a mask of 500 communes took
  // 0.25 s on one thread), then the kept points in order on this one.
  std::vector<char> inside(p.x.size());
  parallel_ranges(p.x.size(), resolve_threads(threads), [&](std::size_t b, std::size_t e, int) {
    for (std::size_t k = b; k < e; ++k) inside[k] = index.locate({p.x[k], p.y[k]}) >= 0;
  });
  std::size_t kept = 0;
  for (std::size_t k = 0; k < p.x.size(); ++k) {
    if (!inside[k]) {
      ++p.outside_mask;
      continue;
    }
    p.x[kept] = p.x[k];
    p.y[kept] = p.y[k];
    p.index[kept] = p.index[k];
    if (!p.w.empty()) p.w[kept] = p.w[k];
    ++kept;
  }
  p.x.resize(kept);
  p.y.resize(kept);
  p.index.resize(kept);
  if (!p.w.empty()) p.w.resize(kept);
}

}  // namespace hotspot
