#include "pipeline/identity.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <filesystem>

#include "geom/geos.hpp"
#include "io/gdal_util.hpp"
#include "pipeline/outputs.hpp"
#include "util/time.hpp"

namespace hotspot {

namespace {

std::int64_t day_number(const std::string& date) {
  if (date.size() != 10) return 0;
  return days_from_civil(std::stoll(date.substr(0, 4)), static_cast<unsigned>(std::stoul(date.substr(5, 2))),
                         static_cast<unsigned>(std::stoul(date.substr(8, 2))));
}

// The number in "Z12" or "C7"; 0 when there is none.
long id_number(const std::string& id) {
  const auto digits = id.find_first_of("0123456789");
  return digits == std::string::npos ? 0 : std::strtol(id.c_str() + digits, nullptr, 10);
}

std::string prefix_of(const std::string& layer) { return layer == "clusters" ? "C" : "Z"; }

}  // namespace

std::int64_t days_active(const std::string& from, const std::string& to) {
  if (from.empty() || to.empty()) return 1;
  return std::max<std::int64_t>(1, day_number(to) - day_number(from) + 1);
}

HotspotHistory HotspotHistory::read(const std::string& path, const Crs& work, std::vector<std::string>& warnings) {
  HotspotHistory h;
  std::error_code ec;
  if (path.empty() || !std::filesystem::exists(path, ec)) return h;
  register_gdal_once();
  GdalErrorScope quiet;
  DatasetPtr ds(static_cast<GDALDataset*>(GDALOpenEx(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr)));
  if (!ds) {
    warnings.push_back("previous output '" + path + "' cannot be read; every hotspot is new");
    return h;
  }
  const nlohmann::json meta = read_run_metadata(path);
  if (meta.is_object() && meta.contains("as_of") && meta["as_of"].is_string())
    h.previous_as_of_ = meta["as_of"].get<std::string>();
  Geos geos;
  for (const char* name : {"hotspot_zones", "clusters", "vanished_hotspots"}) {
    OGRLayer* layer = ds->GetLayerByName(name);
    if (!layer || layer->FindFieldIndex("hotspot_id", TRUE) < 0) continue;
    const std::string lname = name;
    if (lname != "vanished_hotspots") {
      const OGRSpatialReference* srs = layer->GetSpatialRef();
      OGRSpatialReference want;
      const bool same = srs && want.SetFromUserInput(work.wkt.c_str()) == OGRERR_NONE && srs->IsSame(&want);
      if (!same && !work.planar()) {
        warnings.push_back("previous output '" + path + "' layer " + lname +
                           " is in another CRS; its hotspots are not carried over");
        continue;
      }
    }
    layer->ResetReading();
    while (FeaturePtr f{layer->GetNextFeature()}) {
      const std::string id = f->GetFieldAsString("hotspot_id");
      if (id.empty()) continue;
      h.used_ids_.push_back(id);
      if (lname == "vanished_hotspots") continue;  // kept for one run only
      const OGRGeometry* g = f->GetGeometryRef();
      if (!g) continue;
      std::vector<unsigned char> wkb(static_cast<std::size_t>(g->WkbSize()));
      g->exportToWkb(wkbNDR, wkb.data(), wkbVariantIso);
      Geom geom = geos.from_wkb(wkb.data(), wkb.size());
      PreviousHotspot p;
      p.layer = lname;
      p.hotspot_id = id;
      const int fs = f->GetFieldIndex("first_seen");
      if (fs >= 0 && f->IsFieldSetAndNotNull(fs)) p.first_seen = f->GetFieldAsString(fs);
      p.geom = geos.to_multipolygon(geom.get());
      p.area = geos.area(geom.get());
      h.previous_.push_back(std::move(p));
    }
  }
  return h;
}

std::vector<HotspotIdentity> HotspotHistory::match(const std::string& layer, const std::vector<MultiPolygon>& now,
                                                   const std::string& as_of) {
  Geos geos;
  std::vector<Geom> cur;
  std::vector<double> cur_area;
  for (const auto& g : now) {
    cur.push_back(geos.from(g));
    cur_area.push_back(geos.area(cur.back().get()));
  }
  struct Candidate {
    double overlap;
    std::size_t now, before;
  };
  std::vector<Candidate> candidates;
  for (std::size_t j = 0; j < previous_.size(); ++j) {
    const PreviousHotspot& p = previous_[j];
    if (p.layer != layer || p.matched) continue;
    const Box pb = bounds(p.geom);
    Geom pg = geos.from(p.geom);
    for (std::size_t i = 0; i < now.size(); ++i) {
      const Box nb = bounds(now[i]);
      if (nb.xmin > pb.xmax || nb.xmax < pb.xmin || nb.ymin > pb.ymax || nb.ymax < pb.ymin) continue;
      const double inter = geos.area(geos.intersection(cur[i].get(), pg.get()).get());
      if (inter > 0 && inter >= kMinOverlap * std::min(cur_area[i], p.area)) candidates.push_back({inter, i, j});
    }
  }
  // Largest overlap first; ties by index, so the result does not depend on anything else.
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    if (a.overlap != b.overlap) return a.overlap > b.overlap;
    return a.now != b.now ? a.now < b.now : a.before < b.before;
  });
  std::vector<HotspotIdentity> ids(now.size());
  std::vector<char> done(now.size(), 0);
  for (const Candidate& c : candidates) {
    PreviousHotspot& p = previous_[c.before];
    if (done[c.now] || p.matched) continue;
    done[c.now] = 1;
    p.matched = true;
    HotspotIdentity& id = ids[c.now];
    id.hotspot_id = p.hotspot_id;
    id.first_seen = p.first_seen.empty() ? as_of : p.first_seen;
    id.days_active = days_active(id.first_seen, as_of);
    const double ratio = p.area > 0 ? cur_area[c.now] / p.area : 1;
    id.status = ratio > kGrowth ? "grown" : ratio < 1 / kGrowth ? "shrunk" : "persisting";
  }
  long next = 0;
  for (const auto& used : used_ids_)
    if (used.rfind(prefix_of(layer), 0) == 0) next = std::max(next, id_number(used));
  for (std::size_t i = 0; i < now.size(); ++i) {
    if (done[i]) continue;
    ids[i] = {prefix_of(layer) + std::to_string(++next), "new", as_of, 1};
    used_ids_.push_back(ids[i].hotspot_id);
  }
  return ids;
}

std::vector<const PreviousHotspot*> HotspotHistory::vanished() const {
  std::vector<const PreviousHotspot*> out;
  for (const auto& p : previous_)
    if (!p.matched) out.push_back(&p);
  return out;
}

}  // namespace hotspot
