// Hotspot zones: 4-connected sets of cells at or above a density threshold, polygonised with
// GDAL (each zone is the exact union of its cells' squares), with counts, area, peak/mean
// density, PAI and the communes and zones each one meets.
#include <cpl_error.h>
#include <gdal_alg.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <numeric>
#include <string>

#include "geom/geos.hpp"
#include "hotspot/density.hpp"
#include "hotspot/error.hpp"

namespace hotspot {

namespace {

// GDAL's in-memory drivers and polygonizer are all this file needs of GDAL; the RAII here is
// its own, so density/ does not reach into io/.
struct DatasetCloser {
  void operator()(GDALDataset* ds) const { GDALClose(ds); }
};
using Dataset = std::unique_ptr<GDALDataset, DatasetCloser>;
struct FeatureDeleter {
  void operator()(OGRFeature* f) const { OGRFeature::DestroyFeature(f); }
};
using Feature = std::unique_ptr<OGRFeature, FeatureDeleter>;

// While alive, GDAL's messages are kept (CPLGetLastErrorMsg) instead of printed.
struct QuietGdal {
  QuietGdal() {
    static std::once_flag once;
    std::call_once(once, [] { GDALAllRegister(); });
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
  }
  ~QuietGdal() { CPLPopErrorHandler(); }
  QuietGdal(const QuietGdal&) = delete;
  QuietGdal& operator=(const QuietGdal&) = delete;
  static std::string last() { return CPLGetLastErrorMsg(); }
};

bool valid(const DensityRaster& r, std::size_t i) {
  return r.values[i] != r.nodata && std::isfinite(r.values[i]);
}

// Cell index of a point, or -1 outside the grid. Cells are half-open: [x0, x0 + cell) × (y0 − cell,
// y0].
std::int64_t cell_of(const Grid& g, double x, double y) {
  double c = std::floor((x - g.xmin) / g.cell), r = std::floor((g.ymax - y) / g.cell);
  if (!(c >= 0 && r >= 0 && c < static_cast<double>(g.cols) && r < static_cast<double>(g.rows)))
    return -1;
  return static_cast<std::int64_t>(r) * g.cols + static_cast<std::int64_t>(c);
}

}  // namespace

double threshold_top_percent(const DensityRaster& r, const std::vector<double>& x,
                             const std::vector<double>& y, double percent) {
  zone_rule(ZoneRule::Kind::kTopPercent, percent);
  // The cells holding incidents, with their counts: O(incidents) memory, not a second raster.
  std::vector<std::int64_t> at;
  for (std::size_t i = 0; i < x.size(); ++i) {
    std::int64_t c = cell_of(r.grid, x[i], y[i]);
    if (c >= 0 && valid(r, static_cast<std::size_t>(c))) at.push_back(c);
  }
  const auto total = static_cast<std::int64_t>(at.size());
  if (total == 0)
    throw InputError("kde: top_percent: no incident lies in a valid cell of the grid");
  std::sort(at.begin(), at.end());
  std::vector<std::pair<std::int64_t, std::int64_t>> cells;  // cell, incidents
  for (std::int64_t c : at) {
    if (cells.empty() || cells.back().first != c) cells.push_back({c, 0});
    ++cells.back().second;
  }
  // Highest density first; cells without incidents never add to the share, so only cells with
  // incidents need sorting. Ties keep cell order (the threshold is the same for tied cells).
  std::stable_sort(cells.begin(), cells.end(), [&](const auto& a, const auto& b) {
    return r.values[static_cast<std::size_t>(a.first)] >
           r.values[static_cast<std::size_t>(b.first)];
  });
  const double need = percent / 100.0 * static_cast<double>(total);
  std::int64_t held = 0;
  for (const auto& [c, n] : cells) {
    held += n;
    // Cells tied at this density all join the zone (density ≥ threshold), which only adds
    // incidents.
    if (static_cast<double>(held) >= need - 1e-9) return r.values[static_cast<std::size_t>(c)];
  }
  return r.values[static_cast<std::size_t>(cells.back().first)];
}

double threshold_percentile(const DensityRaster& r, double percentile) {
  zone_rule(ZoneRule::Kind::kPercentile, percentile);
  std::vector<float> v;
  for (std::size_t i = 0; i < r.values.size(); ++i)
    if (valid(r, i) && r.values[i] > 0) v.push_back(r.values[i]);
  if (v.empty()) throw InputError("kde: percentile: the surface has no positive cell");
  std::sort(v.begin(), v.end());
  // R's quantile type 7: h = (n − 1) p, linear between the neighbouring order statistics.
  const double hpos = static_cast<double>(v.size() - 1) * percentile / 100.0;
  const auto lo = static_cast<std::size_t>(std::floor(hpos));
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (hpos - static_cast<double>(lo)) * (static_cast<double>(v[hi]) - v[lo]);
}

std::vector<HotspotZone> hotspot_zones(const DensityRaster& r, double threshold,
                                       const std::vector<double>& x, const std::vector<double>& y,
                                       const std::vector<MultiPolygon>& communes,
                                       const std::vector<MultiPolygon>& zones,
                                       std::vector<std::int32_t>* zone_of) {
  if (zone_of) zone_of->assign(x.size(), -1);
  const Grid& g = r.grid;
  auto hot = [&](std::size_t i) {
    return valid(r, i) && r.values[i] > 0 && r.values[i] >= threshold;
  };
  // 4-connected components in scan order: labels 1, 2, ... are deterministic.
  std::vector<std::int32_t> label(g.size(), 0);
  std::vector<std::int64_t> stack;
  std::int32_t n_labels = 0;
  std::int64_t rmin = g.rows, rmax = -1, cmin = g.cols, cmax = -1;
  for (std::size_t s = 0; s < g.size(); ++s) {
    if (label[s] || !hot(s)) continue;
    label[s] = ++n_labels;
    stack.push_back(static_cast<std::int64_t>(s));
    while (!stack.empty()) {
      std::int64_t i = stack.back();
      stack.pop_back();
      std::int64_t rr = i / g.cols, cc = i % g.cols;
      rmin = std::min(rmin, rr), rmax = std::max(rmax, rr), cmin = std::min(cmin, cc),
      cmax = std::max(cmax, cc);
      const std::int64_t nb[4][2] = {{rr - 1, cc}, {rr + 1, cc}, {rr, cc - 1}, {rr, cc + 1}};
      for (const auto& q : nb) {
        if (q[0] < 0 || q[1] < 0 || q[0] >= g.rows || q[1] >= g.cols) continue;
        auto j = static_cast<std::size_t>(q[0] * g.cols + q[1]);
        if (label[j] || !hot(j)) continue;
        label[j] = n_labels;
        stack.push_back(static_cast<std::int64_t>(j));
      }
    }
  }
  std::vector<HotspotZone> out(static_cast<std::size_t>(n_labels));
  if (n_labels == 0) return out;

  std::int64_t valid_cells = 0;
  std::vector<double> sum(out.size(), 0);
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (valid(r, i)) ++valid_cells;
    if (!label[i]) continue;
    auto& z = out[static_cast<std::size_t>(label[i] - 1)];
    ++z.cells;
    z.peak = std::max(z.peak, static_cast<double>(r.values[i]));
    sum[static_cast<std::size_t>(label[i] - 1)] += r.values[i];
  }
  std::int64_t total = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    std::int64_t c = cell_of(g, x[i], y[i]);
    if (c < 0 || !valid(r, static_cast<std::size_t>(c))) continue;
    ++total;
    if (std::int32_t l = label[static_cast<std::size_t>(c)]) {
      ++out[static_cast<std::size_t>(l - 1)].incidents;
      if (zone_of) (*zone_of)[i] = l - 1;
    }
  }
  const double cell_area = g.cell * g.cell,
               study_area = static_cast<double>(valid_cells) * cell_area;
  for (std::size_t k = 0; k < out.size(); ++k) {
    auto& z = out[k];
    z.area_m2 = static_cast<double>(z.cells) * cell_area;
    z.mean = sum[k] / static_cast<double>(z.cells);
    z.pai = total > 0 ? (static_cast<double>(z.incidents) / static_cast<double>(total)) /
                            (z.area_m2 / study_area)
                      : 0;
  }

  // Polygonise the labels in the bounding box of the hot cells.
  QuietGdal errors;
  const int w = static_cast<int>(cmax - cmin + 1), h = static_cast<int>(rmax - rmin + 1);
  GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
  Dataset ds(mem->Create("", w, h, 1, GDT_Int32, nullptr));
  if (!ds) throw InternalError("kde zones: cannot create an in-memory raster: " + errors.last());
  double gt[6] = {g.xmin + static_cast<double>(cmin) * g.cell, g.cell, 0,
                  g.ymax - static_cast<double>(rmin) * g.cell, 0,      -g.cell};
  ds->SetGeoTransform(gt);
  std::vector<std::int32_t> sub(static_cast<std::size_t>(w) * static_cast<std::size_t>(h));
  for (std::int64_t rr = 0; rr < h; ++rr)
    std::copy_n(&label[static_cast<std::size_t>((rmin + rr) * g.cols + cmin)], w,
                &sub[static_cast<std::size_t>(rr * w)]);
  GDALRasterBand* band = ds->GetRasterBand(1);
  if (band->RasterIO(GF_Write, 0, 0, w, h, sub.data(), w, h, GDT_Int32, 0, 0) != CE_None)
    throw InternalError("kde zones: writing labels: " + errors.last());
  GDALDriver* memv = GetGDALDriverManager()->GetDriverByName("Memory");
  Dataset vds(memv->Create("", 0, 0, 0, GDT_Unknown, nullptr));
  OGRLayer* layer = vds->CreateLayer("zones", nullptr, wkbPolygon, nullptr);
  OGRFieldDefn fd("label", OFTInteger);
  layer->CreateField(&fd);
  if (GDALPolygonize(band, band, layer, 0, nullptr, nullptr, nullptr) != CE_None)
    throw InternalError("kde zones: polygonize: " + errors.last());
  Geos geos;
  std::vector<unsigned char> wkb;
  layer->ResetReading();
  for (Feature f(layer->GetNextFeature()); f; f.reset(layer->GetNextFeature())) {
    int l = f->GetFieldAsInteger(0);
    OGRGeometry* geom = f->GetGeometryRef();
    if (l <= 0 || l > n_labels || !geom) continue;
    wkb.resize(static_cast<std::size_t>(geom->WkbSize()));
    geom->exportToWkb(wkbNDR, wkb.data());
    Geom gg = geos.from_wkb(wkb.data(), wkb.size());
    MultiPolygon mp = geos.to_multipolygon(gg.get());
    auto& z = out[static_cast<std::size_t>(l - 1)].geom;
    z.insert(z.end(), mp.begin(), mp.end());
  }

  auto meets = [&](const std::vector<MultiPolygon>& layer_geoms,
                   std::vector<std::int32_t> HotspotZone::*field) {
    std::vector<Geom> gs;
    std::vector<Box> boxes;
    for (const auto& mp : layer_geoms) gs.push_back(geos.from(mp)), boxes.push_back(bounds(mp));
    for (auto& z : out) {
      Geom zg = geos.from(z.geom);
      Box zb = bounds(z.geom);
      for (std::size_t i = 0; i < gs.size(); ++i)
        // The project's rule for "meets": interiors meet; a zone that only touches a commune's
        // boundary is not in it.
        if (boxes[i].intersects(zb) && gs[i] && geos.interiors_meet(zg.get(), gs[i].get()))
          (z.*field).push_back(static_cast<std::int32_t>(i));
    }
  };
  meets(communes, &HotspotZone::communes);
  meets(zones, &HotspotZone::zones);

  // Strongest first; the label order breaks ties, so the order is deterministic.
  std::stable_sort(out.begin(), out.end(),
                   [](const HotspotZone& a, const HotspotZone& b) { return a.peak > b.peak; });
  return out;
}

}  // namespace hotspot
