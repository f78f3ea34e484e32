#include "geo.hpp"

#include <ogr_spatialref.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace datagen {

double ring_area_m2(const Ring& ring) {
  double twice = 0;
  for (std::size_t i = 0; i + 1 < ring.size(); ++i)
    twice += ring[i].x * ring[i + 1].y - ring[i + 1].x * ring[i].y;
  return std::fabs(twice) / 2;
}

double snap_mm(double v) { return std::round(v * 1000.0) / 1000.0; }

namespace {
void on_geos_error(const char* message, void* userdata) {
  static_cast<Geos*>(userdata)->last_error = message ? message : "";
}
void on_geos_notice(const char*, void*) {}
}  // namespace

Geos::Geos() : h_(GEOS_init_r()) {
  if (!h_) throw std::runtime_error("GEOS: cannot create a context");
  GEOSContext_setErrorMessageHandler_r(h_, on_geos_error, this);
  GEOSContext_setNoticeMessageHandler_r(h_, on_geos_notice, this);
}

Geos::~Geos() { GEOS_finish_r(h_); }

GeomPtr Geos::own(GEOSGeometry* g, const char* what) const {
  if (!g) throw std::runtime_error(std::string("GEOS: ") + what + " failed: " + last_error);
  return GeomPtr(g, GeomDeleter{h_});
}

PreparedPtr Geos::prepare(const GEOSGeometry* g) const {
  const GEOSPreparedGeometry* p = GEOSPrepare_r(h_, g);
  if (!p) throw std::runtime_error("GEOS: prepare failed: " + last_error);
  return PreparedPtr(p, PreparedDeleter{h_});
}

namespace {
GEOSCoordSequence* make_seq(GEOSContextHandle_t h, const std::vector<Pt>& pts) {
  GEOSCoordSequence* seq = GEOSCoordSeq_create_r(h, static_cast<unsigned>(pts.size()), 2);
  if (!seq) throw std::runtime_error("GEOS: cannot allocate a coordinate sequence");
  for (std::size_t i = 0; i < pts.size(); ++i)
    GEOSCoordSeq_setXY_r(h, seq, static_cast<unsigned>(i), pts[i].x, pts[i].y);
  return seq;
}
}  // namespace

GeomPtr Geos::polygon(const Ring& shell) const {
  GEOSGeometry* ring = GEOSGeom_createLinearRing_r(h_, make_seq(h_, shell));
  if (!ring) throw std::runtime_error("GEOS: bad ring: " + last_error);
  return own(GEOSGeom_createPolygon_r(h_, ring, nullptr, 0), "createPolygon");
}

GeomPtr Geos::line(const std::vector<Pt>& pts) const {
  return own(GEOSGeom_createLineString_r(h_, make_seq(h_, pts)), "createLineString");
}

GeomPtr Geos::point(Pt p) const { return own(GEOSGeom_createPointFromXY_r(h_, p.x, p.y), "point"); }

GeomPtr Geos::multipoint(const std::vector<Pt>& pts) const {
  std::vector<GeomPtr> parts;
  parts.reserve(pts.size());
  for (const Pt& p : pts) parts.push_back(point(p));
  return collection(GEOS_MULTIPOINT, std::move(parts));
}

GeomPtr Geos::collection(int type, std::vector<GeomPtr> parts) const {
  std::vector<GEOSGeometry*> raw;
  raw.reserve(parts.size());
  for (auto& p : parts) raw.push_back(p.release());
  return own(GEOSGeom_createCollection_r(h_, type, raw.data(), static_cast<unsigned>(raw.size())),
             "createCollection");
}

double Geos::area(const GEOSGeometry* g) const {
  double a = 0;
  if (!GEOSArea_r(h_, g, &a)) throw std::runtime_error("GEOS: area failed: " + last_error);
  return a;
}

double Geos::distance(const GEOSGeometry* a, const GEOSGeometry* b) const {
  double d = 0;
  if (!GEOSDistance_r(h_, a, b, &d)) throw std::runtime_error("GEOS: distance failed");
  return d;
}

Pt Geos::xy(const GEOSGeometry* point) const {
  Pt p;
  if (!GEOSGeomGetX_r(h_, point, &p.x) || !GEOSGeomGetY_r(h_, point, &p.y))
    throw std::runtime_error("GEOS: not a point");
  return p;
}

std::vector<Pt> Geos::coords(const GEOSGeometry* simple) const {
  const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(h_, simple);
  unsigned n = 0;
  if (!seq || !GEOSCoordSeq_getSize_r(h_, seq, &n))
    throw std::runtime_error("GEOS: no coordinates");
  std::vector<Pt> out(n);
  for (unsigned i = 0; i < n; ++i) GEOSCoordSeq_getXY_r(h_, seq, i, &out[i].x, &out[i].y);
  return out;
}

std::vector<Ring> Geos::rings(const GEOSGeometry* g) const {
  std::vector<Ring> out;
  const int type = GEOSGeomTypeId_r(h_, g);
  if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
    const int n = GEOSGetNumGeometries_r(h_, g);
    for (int i = 0; i < n; ++i) {
      auto part = rings(GEOSGetGeometryN_r(h_, g, i));
      out.insert(out.end(), part.begin(), part.end());
    }
  } else if (type == GEOS_POLYGON) {
    out.push_back(coords(GEOSGetExteriorRing_r(h_, g)));
    const int holes = GEOSGetNumInteriorRings_r(h_, g);
    for (int i = 0; i < holes; ++i) out.push_back(coords(GEOSGetInteriorRingN_r(h_, g, i)));
  }
  return out;
}

std::vector<std::vector<Pt>> Geos::lines(const GEOSGeometry* g) const {
  std::vector<std::vector<Pt>> out;
  const int type = GEOSGeomTypeId_r(h_, g);
  if (type == GEOS_LINESTRING || type == GEOS_LINEARRING) {
    out.push_back(coords(g));
  } else if (type == GEOS_MULTILINESTRING || type == GEOS_GEOMETRYCOLLECTION) {
    const int n = GEOSGetNumGeometries_r(h_, g);
    for (int i = 0; i < n; ++i) {
      auto part = lines(GEOSGetGeometryN_r(h_, g, i));
      out.insert(out.end(), part.begin(), part.end());
    }
  }
  return out;
}

std::vector<GeomPtr> Geos::polygons(const GEOSGeometry* g) const {
  std::vector<GeomPtr> out;
  const int type = GEOSGeomTypeId_r(h_, g);
  if (type == GEOS_POLYGON) {
    out.push_back(own(GEOSGeom_clone_r(h_, g), "clone"));
  } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
    const int n = GEOSGetNumGeometries_r(h_, g);
    for (int i = 0; i < n; ++i) {
      auto part = polygons(GEOSGetGeometryN_r(h_, g, i));
      for (auto& p : part) out.push_back(std::move(p));
    }
  }
  return out;
}

std::vector<unsigned char> Geos::wkb(const GEOSGeometry* g) const {
  GEOSWKBWriter* w = GEOSWKBWriter_create_r(h_);
  GEOSWKBWriter_setOutputDimension_r(h_, w, 2);
  GEOSWKBWriter_setByteOrder_r(h_, w, GEOS_WKB_NDR);
  std::size_t size = 0;
  unsigned char* buf = GEOSWKBWriter_write_r(h_, w, g, &size);
  GEOSWKBWriter_destroy_r(h_, w);
  if (!buf) throw std::runtime_error("GEOS: WKB write failed: " + last_error);
  std::vector<unsigned char> out(buf, buf + size);
  GEOSFree_r(h_, buf);
  return out;
}

PointInRings::PointInRings(const std::vector<Ring>& rings, int bands) {
  xmin_ = ymin_ = INFINITY;
  xmax_ = ymax_ = -INFINITY;
  std::vector<Edge> all;
  for (const Ring& r : rings) {
    for (std::size_t i = 0; i + 1 < r.size(); ++i) {
      const Pt a = r[i], b = r[i + 1];
      if (a.y == b.y) continue;  // horizontal edges never change the crossing parity
      all.push_back({a.x, a.y, b.x, b.y});
    }
    for (const Pt& p : r) {
      xmin_ = std::min(xmin_, p.x);
      ymin_ = std::min(ymin_, p.y);
      xmax_ = std::max(xmax_, p.x);
      ymax_ = std::max(ymax_, p.y);
    }
  }
  if (all.empty()) {
    xmin_ = ymin_ = 0;
    xmax_ = ymax_ = -1;
    return;
  }
  nbands_ = std::max(1, bands);
  const double h = (ymax_ - ymin_) / nbands_;
  inv_band_h_ = h > 0 ? 1.0 / h : 0;
  auto band_of = [&](double y) {
    const int b = static_cast<int>((y - ymin_) * inv_band_h_);
    return std::clamp(b, 0, nbands_ - 1);
  };
  std::vector<std::vector<Edge>> per(static_cast<std::size_t>(nbands_));
  for (const Edge& e : all) {
    const int b0 = band_of(std::min(e.ay, e.by)), b1 = band_of(std::max(e.ay, e.by));
    for (int b = b0; b <= b1; ++b) per[static_cast<std::size_t>(b)].push_back(e);
  }
  band_start_.push_back(0);
  for (const auto& band : per) {
    edges_.insert(edges_.end(), band.begin(), band.end());
    band_start_.push_back(edges_.size());
  }
}

bool PointInRings::contains(Pt p) const {
  if (!(p.x >= xmin_ && p.x <= xmax_ && p.y >= ymin_ && p.y <= ymax_)) return false;
  const int b = std::clamp(static_cast<int>((p.y - ymin_) * inv_band_h_), 0, nbands_ - 1);
  bool inside = false;
  const auto bi = static_cast<std::size_t>(b);
  for (std::size_t i = band_start_[bi]; i < band_start_[bi + 1]; ++i) {
    const Edge& e = edges_[i];
    if ((e.ay > p.y) != (e.by > p.y)) {
      const double x = e.ax + (p.y - e.ay) * (e.bx - e.ax) / (e.by - e.ay);
      if (p.x < x) inside = !inside;
    }
  }
  return inside;
}

namespace {
OGRSpatialReference make_srs(int epsg) {
  OGRSpatialReference srs;
  if (srs.importFromEPSG(epsg) != OGRERR_NONE)
    throw std::runtime_error("PROJ: unknown CRS EPSG:" + std::to_string(epsg));
  // GDAL 3 honours the authority's axis order (lat, lon for EPSG:4326). The CSV and GeoJSON are
  // lon/lat and the engine works in x = east, so pin the traditional GIS order on both ends.
  srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  return srs;
}
}  // namespace

Projector::Projector() {
  OGRSpatialReference metres = make_srs(9210), wgs84 = make_srs(4326);
  OGRCoordinateTransformationOptions opts;
  // The area of use of EPSG:9210. With it PROJ settles on one operation (EPSG:6960, VN-2000 to
  // WGS 84 (2), a Helmert shift) for every point, instead of choosing per point; that is also
  // the one it picks for any single point in Hai Phong, so readers that do not set an area of
  // interest land on the same metres.
  opts.SetAreaOfInterest(105.26, 9.75, 107.8, 23.12);
  fwd_.reset(OGRCreateCoordinateTransformation(&metres, &wgs84, opts));
  inv_.reset(OGRCreateCoordinateTransformation(&wgs84, &metres, opts));
  if (!fwd_ || !inv_) throw std::runtime_error("PROJ: no EPSG:9210 <-> EPSG:4326 transformation");
}

Projector::~Projector() = default;

namespace {
void run(OGRCoordinateTransformation& ct, std::vector<double>& x, std::vector<double>& y) {
  std::vector<int> ok(x.size(), 0);
  constexpr std::size_t kChunk = 1 << 16;
  for (std::size_t at = 0; at < x.size(); at += kChunk) {
    const std::size_t n = std::min(kChunk, x.size() - at);
    if (!ct.Transform(static_cast<int>(n), x.data() + at, y.data() + at, nullptr, nullptr,
                      ok.data() + at))
      throw std::runtime_error("PROJ: transformation failed");
  }
  for (std::size_t i = 0; i < ok.size(); ++i)
    if (!ok[i] || !std::isfinite(x[i]) || !std::isfinite(y[i]))
      throw std::runtime_error("PROJ: point " + std::to_string(i) + " could not be transformed");
}
}  // namespace

void Projector::to_lonlat(std::vector<double>& x, std::vector<double>& y) { run(*fwd_, x, y); }
void Projector::to_metres(std::vector<double>& x, std::vector<double>& y) { run(*inv_, x, y); }

Pt Projector::to_lonlat(Pt p) {
  std::vector<double> x{p.x}, y{p.y};
  to_lonlat(x, y);
  return {x[0], y[0]};
}

Pt Projector::to_metres(Pt p) {
  std::vector<double> x{p.x}, y{p.y};
  to_metres(x, y);
  return {x[0], y[0]};
}

}  // namespace datagen
