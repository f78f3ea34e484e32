#include "crs/transform.hpp"

#include <geodesic.h>

#include <cpl_error.h>
#include <ogr_spatialref.h>
#include <proj.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <set>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <mutex>
#include <vector>

#include "hotspot/error.hpp"
#include "util/parallel.hpp"

namespace hotspot {

namespace {

// Since GDAL 3, an SRS built from "EPSG:4326" follows the authority's axis order (lat, lon).
// Incident files, GeoJSON and every GIS tool put longitude first, so we pin traditional GIS order
// on each SRS we create. This is the only place where axis order is decided.
void pin_axis_order(OGRSpatialReference& srs) {
  srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
}

std::string export_wkt2(const OGRSpatialReference& srs) {
  char* wkt = nullptr;
  const char* options[] = {"FORMAT=WKT2_2019", nullptr};
  srs.exportToWkt(&wkt, options);
  std::string out = wkt ? wkt : "";
  CPLFree(wkt);
  return out;
}

// GDAL's and PROJ's own messages that no GdalErrorScope catches. PROJ's per-point failures
// ("PROJ: push: Invalid latitude") are already counted as rejected rows with their own message, so
// they are dropped; anything else becomes one "warning: GDAL: ..." line on stderr per distinct
// message (at most 10), never a raw "ERROR 1: ..." line.
std::atomic<std::int64_t> g_dropped_proj_messages{0};

void CPL_STDCALL route_message(CPLErr level, CPLErrorNum, const char* msg) {
  if (level < CE_Warning || !msg) return;
  const std::string text(msg);
  if (text.rfind("PROJ: ", 0) == 0 || text.find("Invalid latitude") != std::string::npos ||
      text.find("Point outside of projection domain") != std::string::npos) {
    ++g_dropped_proj_messages;
    return;
  }
  static std::mutex mutex;
  static std::set<std::string> seen;
  std::lock_guard<std::mutex> lock(mutex);
  if (seen.size() >= 10 || !seen.insert(text).second) return;
  std::cerr << "warning: GDAL: " << text << "\n";
}

}  // namespace

void route_library_messages() {
  static std::once_flag once;
  std::call_once(once, [] { CPLSetErrorHandler(&route_message); });
}

std::string Crs::label() const {
  if (planar()) return "planar (undefined Cartesian)";
  if (!authority.empty()) return authority + " (" + name + ")";
  return name;
}

bool Crs::same_as(const Crs& other) const {
  if (planar() || other.planar()) return planar() == other.planar();
  if (!authority.empty() && authority == other.authority) return true;
  auto a = to_ogr(*this), b = to_ogr(other);
  const char* opts[] = {"IGNORE_DATA_AXIS_TO_SRS_AXIS_MAPPING=YES", "CRITERION=EQUIVALENT",
                        nullptr};
  return a->IsSame(b.get(), opts);
}

Crs crs_from_ogr(const OGRSpatialReference* in) {
  Crs crs;
  if (!in) return crs;  // planar
  OGRSpatialReference srs(*in);
  pin_axis_order(srs);
  if (srs.IsLocal()) return crs;  // an undefined Cartesian frame
  crs.kind = srs.IsGeographic() ? Crs::Kind::kGeographic : Crs::Kind::kProjected;
  const char* auth = srs.GetAuthorityName(nullptr);
  const char* code = srs.GetAuthorityCode(nullptr);
  if (!auth || !code) {
    // A CRS read from a file often lacks its code although PROJ knows it (e.g. from .prj files).
    OGRSpatialReference probe(srs);
    if (probe.AutoIdentifyEPSG() == OGRERR_NONE) {
      auth = probe.GetAuthorityName(nullptr);
      code = probe.GetAuthorityCode(nullptr);
      if (auth && code) crs.authority = std::string(auth) + ":" + code;
    }
  } else {
    crs.authority = std::string(auth) + ":" + code;
  }
  // A file's CRS that is its authority's definition becomes that definition. Rebuilt from WKT, its
  // datum would have no code, and PROJ would look it up by name each time it searches for a
  // transformation or writes WKT 1: some 10 ms of every command on VN-2000 communes. A definition
  // of its own (other parameters, or any TOWGS84: a bound CRS) is kept as it is.
  double towgs84[7];
  if (!crs.authority.empty() && srs.GetTOWGS84(towgs84, 7) != OGRERR_NONE) {
    OGRSpatialReference registered;
    const char* opts[] = {"IGNORE_DATA_AXIS_TO_SRS_AXIS_MAPPING=YES", "CRITERION=EQUIVALENT",
                          nullptr};
    if (registered.SetFromUserInput(crs.authority.c_str()) == OGRERR_NONE) {
      pin_axis_order(registered);
      if (registered.IsSame(&srs, opts)) {
        srs = registered;
        crs.registry = true;
      }
    }
  }
  crs.wkt = export_wkt2(srs);
  crs.name = srs.GetName() ? srs.GetName() : "unnamed CRS";
  double w, s, e, n;
  const char* area = nullptr;
  if (srs.GetAreaOfUse(&w, &s, &e, &n, &area) && w > -1000) {
    crs.area_of_use_lonlat = Box{w, s, e, n};  // w > e when the area crosses the antimeridian
  }
  crs.metres = srs.IsProjected() && std::abs(srs.GetLinearUnits(nullptr) - 1.0) < 1e-12;
  return crs;
}

std::string crs_suggestions(const std::string& text, bool projected_only) {
  // PROJ's own name search (approximate: "VN-2000" finds "VN-2000 / UTM zone 48N"), so the
  // suggestion comes from the database the lookup failed in. No context: PROJ's default one.
  if (text.empty() || text.size() > 200) return "";
  const PJ_TYPE projected[] = {PJ_TYPE_PROJECTED_CRS};
  const PJ_TYPE any[] = {PJ_TYPE_PROJECTED_CRS, PJ_TYPE_GEOGRAPHIC_2D_CRS};
  PJ_OBJ_LIST* list = proj_create_from_name(nullptr, "EPSG", text.c_str(),
                                            projected_only ? projected : any,
                                            projected_only ? 1 : 2, 1, 0, nullptr);
  if (!list) return "";
  std::string out;
  const int n = proj_list_get_count(list);
  int shown = 0;
  for (int i = 0; i < n && shown < 6; ++i) {
    PJ* crs = proj_list_get(nullptr, list, i);
    if (!crs) continue;
    const char* code = proj_get_id_code(crs, 0);
    const char* name = proj_get_name(crs);
    if (code && name && !proj_is_deprecated(crs)) {
      out += std::string(shown ? ", " : "") + "EPSG:" + code + " (" + name + ")";
      ++shown;
    }
    proj_destroy(crs);
  }
  if (n > shown && shown > 0) out += ", ... (" + std::to_string(n) + " in all)";
  proj_list_destroy(list);
  return out;
}

Crs parse_crs(const std::string& text, const std::string& what) {
  route_library_messages();
  if (text == "planar") return Crs{};
  // Each lookup queries PROJ's database (milliseconds); a run asks for the same few CRSs again
  // and again, so parsed ones are kept.
  static std::mutex mutex;
  static std::map<std::string, Crs> parsed;
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (auto it = parsed.find(text); it != parsed.end()) return it->second;
  }
  OGRSpatialReference srs;
  if (srs.SetFromUserInput(text.c_str()) != OGRERR_NONE) {
    const std::string near = crs_suggestions(text, false);
    throw UsageError(what + ": PROJ does not understand '" + text + "'" +
                     (near.empty() ? "" : "; its database has " + near) +
                     " (give an authority code such as EPSG:9210 or EPSG:32648, a WKT string, or "
                     "'planar')");
  }
  Crs crs = crs_from_ogr(&srs);
  std::lock_guard<std::mutex> lock(mutex);
  if (parsed.size() < 64) parsed.emplace(text, crs);
  return crs;
}

Crs utm_crs_for(double lon, double lat) {
  int zone = static_cast<int>(std::floor((lon + 180.0) / 6.0)) + 1;
  zone = std::clamp(zone, 1, 60);
  int epsg = (lat >= 0 ? 32600 : 32700) + zone;
  Crs crs = parse_crs("EPSG:" + std::to_string(epsg), "UTM zone");
  // A UTM zone is 6 degrees wide; we accept data up to 3 degrees beyond it, where the scale error
  // stays below 0.5 %, so a dataset on a zone edge is not cut in two.
  crs.area_of_use_lonlat.xmin -= 3;
  crs.area_of_use_lonlat.xmax += 3;
  return crs;
}

std::unique_ptr<OGRSpatialReference> to_ogr(const Crs& crs) {
  if (crs.planar()) throw InternalError("to_ogr called on a planar CRS");
  auto srs = std::make_unique<OGRSpatialReference>();
  if (crs.registry && srs->SetFromUserInput(crs.authority.c_str()) == OGRERR_NONE) {
    pin_axis_order(*srs);
    return srs;
  }
  if (srs->importFromWkt(crs.wkt.c_str()) != OGRERR_NONE)
    throw InternalError("cannot re-import WKT of " + crs.label());
  pin_axis_order(*srs);
  return srs;
}

Transformer::Transformer(const Crs& from, const Crs& to) {
  if (from.planar() && to.planar()) return;
  if (from.planar() || to.planar())
    throw CrsError("cannot combine planar data with " + (from.planar() ? to : from).label() +
                   "; give every input and --work-crs as planar, or give the planar input its CRS");
  if (from.same_as(to)) return;
  auto a = to_ogr(from), b = to_ogr(to);
  ct_.reset(OGRCreateCoordinateTransformation(a.get(), b.get()));
  if (!ct_)
    throw CrsError("PROJ found no transformation from " + from.label() + " to " + to.label());
}

Transformer::Transformer(std::unique_ptr<OGRCoordinateTransformation> ct) : ct_(std::move(ct)) {}

PreparedTransformer::PreparedTransformer(const Crs& from, const Crs& to)
    : from_wkt_(from.wkt), to_wkt_(to.wkt) {
  if (from.planar() || to.planar()) return;
  thread_ = std::thread([this, from, to] {
    // Quietly: a pair that fails here is built again by take(), which reports the failure.
    CPLPushErrorHandler(CPLQuietErrorHandler);
    try {
      if (!from.same_as(to)) {
        auto a = to_ogr(from), b = to_ogr(to);
        ct_.reset(OGRCreateCoordinateTransformation(a.get(), b.get()));
      }
    } catch (...) {
      ct_.reset();
    }
    CPLPopErrorHandler();
  });
}

PreparedTransformer::PreparedTransformer() = default;

PreparedTransformer::~PreparedTransformer() {
  if (thread_.joinable()) thread_.join();
}

Transformer PreparedTransformer::take(const Crs& from, const Crs& to) {
  if (thread_.joinable()) thread_.join();
  // GDAL gives the transformation the calling thread's PROJ context each time it is used, so
  // one built on another thread is safe here.
  if (ct_ && !from.planar() && !to.planar() && from.wkt == from_wkt_ && to.wkt == to_wkt_)
    return Transformer(std::move(ct_));
  return Transformer(from, to);
}

Transformer::~Transformer() = default;
Transformer::Transformer(Transformer&&) noexcept = default;

std::size_t Transformer::transform(std::size_t n, double* x, double* y, int threads) const {
  if (!ct_ || n == 0) return 0;
  std::vector<int> ok(n);
  std::vector<std::size_t> failed(static_cast<std::size_t>(std::max(1, threads)), 0);
  parallel_ranges(n, threads, [&](std::size_t begin, std::size_t end, int t) {
    std::unique_ptr<OGRCoordinateTransformation> clone;
    OGRCoordinateTransformation* ct = ct_.get();
    if (t > 0) {  // thread 0 uses the original
      clone.reset(ct_->Clone());
      ct = clone.get();
    }
    constexpr std::size_t kBatch = 1 << 16;
    for (std::size_t i = begin; i < end; i += kBatch) {
      std::size_t m = std::min(kBatch, end - i);
      ct->Transform(static_cast<int>(m), x + i, y + i, nullptr, nullptr, ok.data() + i);
    }
    for (std::size_t i = begin; i < end; ++i) {
      if (!ok[i] || !std::isfinite(x[i]) || !std::isfinite(y[i])) {
        x[i] = y[i] = std::numeric_limits<double>::quiet_NaN();
        ++failed[static_cast<std::size_t>(t)];
      }
    }
  });
  std::size_t total = 0;
  for (auto f : failed) total += f;
  return total;
}

bool transform_multipolygon(const Transformer& t, MultiPolygon& mp) {
  if (t.identity()) return true;
  std::vector<double> xs, ys;
  auto ring_fn = [&](Ring& r) {
    xs.resize(r.size()), ys.resize(r.size());
    for (std::size_t k = 0; k < r.size(); ++k) xs[k] = r[k].x, ys[k] = r[k].y;
    if (t.transform(r.size(), xs.data(), ys.data()) > 0) return false;
    for (std::size_t k = 0; k < r.size(); ++k) r[k] = {xs[k], ys[k]};
    return true;
  };
  for (auto& poly : mp) {
    if (!ring_fn(poly.shell)) return false;
    for (auto& h : poly.holes)
      if (!ring_fn(h)) return false;
  }
  return true;
}

std::optional<IgnoredShift> ignored_datum_shift(const Crs& crs) {
  // Only a bound CRS with a code: a WKT 2 export of a bound CRS starts with BOUNDCRS.
  if (crs.planar() || crs.wkt.rfind("BOUNDCRS", 0) != 0) return std::nullopt;
  const auto file = to_ogr(crs);
  double p[7];
  if (file->GetTOWGS84(p, 7) != OGRERR_NONE || !file->GetAuthorityCode(nullptr))
    return std::nullopt;
  char* proj = nullptr;
  if (file->exportToProj4(&proj) != OGRERR_NONE || !proj) {
    CPLFree(proj);
    return std::nullopt;
  }
  IgnoredShift s;
  s.proj = proj;
  CPLFree(proj);
  OGRSpatialReference own, wgs84, registered;
  own.SetFromUserInput(s.proj.c_str());
  wgs84.SetWellKnownGeogCS("WGS84");
  // A bound CRS has no area of use of its own: its authority's.
  double w, south, e, n;
  if (registered.SetFromUserInput(crs.authority.c_str()) != OGRERR_NONE ||
      !registered.GetAreaOfUse(&w, &south, &e, &n, nullptr) || w < -1000 || w > e)
    return std::nullopt;
  for (auto* srs : {&own, &wgs84}) pin_axis_order(*srs);
  // A point at the area's centre in the file's coordinates, then back to WGS 84 both ways.
  double x = (w + e) / 2, y = (south + n) / 2;
  std::unique_ptr<OGRCoordinateTransformation> into(
      OGRCreateCoordinateTransformation(&wgs84, &own)),
      by_file(OGRCreateCoordinateTransformation(&own, &wgs84)),
      by_registry(OGRCreateCoordinateTransformation(file.get(), &wgs84));
  if (!into || !by_file || !by_registry || !into->Transform(1, &x, &y)) return std::nullopt;
  double x1 = x, y1 = y, x2 = x, y2 = y;
  if (!by_file->Transform(1, &x1, &y1) || !by_registry->Transform(1, &x2, &y2)) return std::nullopt;
  // Metres on the sphere, locally: ample for a difference of metres to kilometres.
  constexpr double kMetresPerDegree = 6371008.8 * M_PI / 180;
  s.metres = kMetresPerDegree * std::hypot((x1 - x2) * std::cos(y1 * M_PI / 180), y1 - y2);
  if (!(s.metres > 1)) return std::nullopt;
  for (int i = 0; i < 7; ++i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.10g", p[i]);
    s.towgs84 += (i ? ", " : "") + std::string(buf);
  }
  return s;
}

bool changes_datum(const Crs& a, const Crs& b) {
  if (a.planar() || b.planar()) return false;
  return !to_ogr(a)->IsSameGeogCS(to_ogr(b).get());
}

double geodesic_area_m2(const MultiPolygon& mp, const Crs& crs) {
  if (!crs.geographic()) throw InternalError("geodesic_area_m2 called on a projected CRS");
  const auto srs = to_ogr(crs);
  OGRErr err = OGRERR_NONE;
  const double a = srs->GetSemiMajor(&err);
  const double inv_f = srs->GetInvFlattening(&err);
  geod_geodesic g;
  geod_init(&g, a, inv_f > 0 ? 1 / inv_f : 0);
  std::vector<double> lat, lon;
  auto ring_area = [&](const Ring& r) {
    lat.clear(), lon.clear();
    for (const XY& p : r) lon.push_back(p.x), lat.push_back(p.y);
    if (lat.size() > 1 && lat.front() == lat.back() && lon.front() == lon.back())
      lat.pop_back(), lon.pop_back();  // geod_polygonarea closes the ring itself
    if (lat.size() < 3) return 0.0;
    double area = 0;
    geod_polygonarea(&g, lat.data(), lon.data(), static_cast<int>(lat.size()), &area, nullptr);
    return std::abs(area);
  };
  double total = 0;
  for (const auto& poly : mp) {
    double area = ring_area(poly.shell);
    for (const auto& h : poly.holes) area -= ring_area(h);
    total += std::max(0.0, area);
  }
  return total;
}

}  // namespace hotspot
