#include "geom/geos.hpp"


#include "hotspot/error.hpp"
#include "hotspot/geom.hpp"

namespace hotspot {

Geos::Geos() {
  ctx_ = GEOS_init_r();
  GEOSContext_setErrorMessageHandler_r(
      ctx_,
      [](const char* message, void* self) { static_cast<Geos*>(self)->error_ = message; },
      this);
}

Geos::~Geos() { GEOS_finish_r(ctx_); }

Geom Geos::check(GEOSGeometry* g, const char* what) const {
  if (!g) throw InternalError(std::string("GEOS ") + what + " failed: " + error_);
  return Geom(ctx_, g);
}

Geom Geos::from_wkb(const unsigned char* wkb, std::size_t size) const {
  return check(GEOSGeomFromWKB_buf_r(ctx_, wkb, size), "WKB read");
}

namespace {
GEOSGeometry* make_ring(GEOSContextHandle_t ctx, const Ring& ring) {
  auto n = static_cast<unsigned>(ring.size());
  GEOSCoordSequence* seq = GEOSCoordSeq_create_r(ctx, n, 2);
  for (unsigned i = 0; i < n; ++i) GEOSCoordSeq_setXY_r(ctx, seq, i, ring[i].x, ring[i].y);
  return GEOSGeom_createLinearRing_r(ctx, seq);
}

Ring read_ring(GEOSContextHandle_t ctx, const GEOSGeometry* ring) {
  const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(ctx, ring);
  unsigned n = 0;
  GEOSCoordSeq_getSize_r(ctx, seq, &n);
  Ring out(n);
  for (unsigned i = 0; i < n; ++i) GEOSCoordSeq_getXY_r(ctx, seq, i, &out[i].x, &out[i].y);
  return out;
}

void collect_polygons(GEOSContextHandle_t ctx, const GEOSGeometry* g, MultiPolygon& out) {
  int type = GEOSGeomTypeId_r(ctx, g);
  if (type == GEOS_POLYGON) {
    if (GEOSisEmpty_r(ctx, g)) return;
    Polygon poly;
    poly.shell = read_ring(ctx, GEOSGetExteriorRing_r(ctx, g));
    int holes = GEOSGetNumInteriorRings_r(ctx, g);
    for (int i = 0; i < holes; ++i) poly.holes.push_back(read_ring(ctx, GEOSGetInteriorRingN_r(ctx, g, i)));
    out.push_back(std::move(poly));
  } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
    int n = GEOSGetNumGeometries_r(ctx, g);
    for (int i = 0; i < n; ++i) collect_polygons(ctx, GEOSGetGeometryN_r(ctx, g, i), out);
  }
}
}  // namespace

Geom Geos::from(const MultiPolygon& mp) const {
  std::vector<GEOSGeometry*> polys;
  for (const auto& p : mp) {
    std::vector<GEOSGeometry*> holes;
    for (const auto& h : p.holes) holes.push_back(make_ring(ctx_, h));
    polys.push_back(GEOSGeom_createPolygon_r(ctx_, make_ring(ctx_, p.shell), holes.data(),
                                             static_cast<unsigned>(holes.size())));
  }
  return check(GEOSGeom_createCollection_r(ctx_, GEOS_MULTIPOLYGON, polys.data(),
                                           static_cast<unsigned>(polys.size())),
               "multipolygon build");
}

MultiPolygon Geos::to_multipolygon(const GEOSGeometry* g) const {
  MultiPolygon out;
  collect_polygons(ctx_, g, out);
  return out;
}

bool Geos::is_valid(const GEOSGeometry* g, std::string* reason) const {
  char r = GEOSisValid_r(ctx_, g);
  if (r == 1) return true;
  if (reason) {
    char* why = GEOSisValidReason_r(ctx_, g);
    *reason = why ? why : "invalid";
    GEOSFree_r(ctx_, why);
  }
  return false;
}

Geom Geos::make_valid(const GEOSGeometry* g) const {
  GEOSMakeValidParams* params = GEOSMakeValidParams_create_r(ctx_);
  GEOSMakeValidParams_setMethod_r(ctx_, params, GEOS_MAKE_VALID_STRUCTURE);
  GEOSMakeValidParams_setKeepCollapsed_r(ctx_, params, 0);
  GEOSGeometry* out = GEOSMakeValidWithParams_r(ctx_, g, params);
  GEOSMakeValidParams_destroy_r(ctx_, params);
  return check(out, "make-valid");
}

bool Geos::revalidate(MultiPolygon& mp) const {
  Geom g = from(mp);
  if (is_valid(g.get(), nullptr)) return false;
  Geom fixed = make_valid(g.get());
  mp = to_multipolygon(fixed.get());
  return true;
}

Geom Geos::buffer(const GEOSGeometry* g, double d) const {
  return check(GEOSBuffer_r(ctx_, g, d, 16), "buffer");
}
Geom Geos::intersection(const GEOSGeometry* a, const GEOSGeometry* b) const {
  return check(GEOSIntersection_r(ctx_, a, b), "intersection");
}
Geom Geos::difference(const GEOSGeometry* a, const GEOSGeometry* b) const {
  return check(GEOSDifference_r(ctx_, a, b), "difference");
}
Geom Geos::boundary(const GEOSGeometry* g) const {
  return check(GEOSBoundary_r(ctx_, g), "boundary");
}
bool Geos::intersects(const GEOSGeometry* a, const GEOSGeometry* b) const {
  char r = GEOSIntersects_r(ctx_, a, b);
  if (r == 2) throw InternalError("GEOS intersects failed: " + error_);
  return r == 1;
}

bool Geos::interiors_meet(const GEOSGeometry* a, const GEOSGeometry* b) const {
  return intersects(a, b) && GEOSTouches_r(ctx_, a, b) == 0;
}
double Geos::area(const GEOSGeometry* g) const {
  double a = 0;
  if (!GEOSArea_r(ctx_, g, &a)) throw InternalError("GEOS area failed: " + error_);
  return a;
}
XY Geos::point_on_surface(const GEOSGeometry* g) const {
  Geom p = check(GEOSPointOnSurface_r(ctx_, g), "point on surface");
  XY xy;
  if (!GEOSGeomGetX_r(ctx_, p.get(), &xy.x) || !GEOSGeomGetY_r(ctx_, p.get(), &xy.y))
    throw InternalError("GEOS point on surface of an empty geometry: " + error_);
  return xy;
}
double Geos::length(const GEOSGeometry* g) const {
  double l = 0;
  if (!GEOSLength_r(ctx_, g, &l)) throw InternalError("GEOS length failed: " + error_);
  return l;
}

bool Geos::covers(const GEOSGeometry* a, const GEOSGeometry* b) const {
  char r = GEOSCovers_r(ctx_, a, b);
  if (r == 2) throw InternalError("GEOS covers failed: " + error_);
  return r == 1;
}

Geom Geos::multipoint(const std::vector<XY>& points) const {
  std::vector<GEOSGeometry*> parts(points.size());
  for (std::size_t i = 0; i < points.size(); ++i) parts[i] = GEOSGeom_createPointFromXY_r(ctx_, points[i].x, points[i].y);
  return check(GEOSGeom_createCollection_r(ctx_, GEOS_MULTIPOINT, parts.data(), static_cast<unsigned>(parts.size())),
               "multipoint build");
}

Geom Geos::convex_hull(const GEOSGeometry* g) const { return check(GEOSConvexHull_r(ctx_, g), "convex hull"); }

Geom Geos::concave_hull(const GEOSGeometry* g, double ratio) const {
  return check(GEOSConcaveHull_r(ctx_, g, ratio, 0), "concave hull");
}

}  // namespace hotspot

namespace hotspot {

Geom Geos::union_all(const std::vector<MultiPolygon>& parts) const {
  std::vector<GEOSGeometry*> gs;
  for (const auto& mp : parts) gs.push_back(from(mp).release());
  Geom coll = check(GEOSGeom_createCollection_r(ctx_, GEOS_GEOMETRYCOLLECTION, gs.data(), static_cast<unsigned>(gs.size())),
                    "collection");
  return check(GEOSUnaryUnion_r(ctx_, coll.get()), "union");
}

Geom Geos::convex_hull(const std::vector<XY>& pts) const {
  std::vector<GEOSGeometry*> gs;
  gs.reserve(pts.size());
  for (auto p : pts) gs.push_back(GEOSGeom_createPointFromXY_r(ctx_, p.x, p.y));
  Geom coll = check(GEOSGeom_createCollection_r(ctx_, GEOS_MULTIPOINT, gs.data(), static_cast<unsigned>(gs.size())),
                    "multipoint");
  return check(GEOSConvexHull_r(ctx_, coll.get()), "convex hull");
}

Prepared::Prepared(GEOSContextHandle_t ctx, const GEOSGeometry* g) : ctx_(ctx), p_(GEOSPrepare_r(ctx, g)) {
  if (!p_) throw InternalError("GEOS prepare failed");
}
Prepared::~Prepared() { GEOSPreparedGeom_destroy_r(ctx_, p_); }
bool Prepared::contains(const GEOSGeometry* g) const {
  char r = GEOSPreparedContains_r(ctx_, p_, g);
  if (r == 2) throw InternalError("GEOS prepared contains failed");
  return r == 1;
}
bool Prepared::intersects(const GEOSGeometry* g) const {
  char r = GEOSPreparedIntersects_r(ctx_, p_, g);
  if (r == 2) throw InternalError("GEOS prepared intersects failed");
  return r == 1;
}

MultiPolygon valid_polygon(const MultiPolygon& mp, bool* repaired) {
  Geos geos;
  Geom g = geos.from(mp);
  *repaired = !geos.is_valid(g.get(), nullptr);
  if (*repaired) g = geos.make_valid(g.get());
  return geos.to_multipolygon(g.get());
}

}  // namespace hotspot
