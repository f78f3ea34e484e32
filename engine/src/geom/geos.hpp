#pragma once
// GEOS C-API (_r) behind RAII. One Geos object per thread; geometries it makes are owned by Geom.
#include <geos_c.h>

#include <memory>
#include <string>
#include <vector>

#include "hotspot/geometry.hpp"

namespace hotspot {

class Geos;

class Geom {
 public:
  Geom() = default;
  Geom(GEOSContextHandle_t ctx, GEOSGeometry* g) : ctx_(ctx), g_(g) {}
  Geom(Geom&& o) noexcept : ctx_(o.ctx_), g_(o.g_) { o.g_ = nullptr; }
  Geom& operator=(Geom&& o) noexcept {
    std::swap(ctx_, o.ctx_);
    std::swap(g_, o.g_);
    return *this;
  }
  Geom(const Geom&) = delete;
  Geom& operator=(const Geom&) = delete;
  ~Geom() {
    if (g_) GEOSGeom_destroy_r(ctx_, g_);
  }
  const GEOSGeometry* get() const { return g_; }
  GEOSGeometry* release() {
    auto* g = g_;
    g_ = nullptr;
    return g;
  }
  explicit operator bool() const { return g_ != nullptr; }

 private:
  GEOSContextHandle_t ctx_ = nullptr;
  GEOSGeometry* g_ = nullptr;
};

// A GEOS prepared geometry (fast repeated contains/intersects against one geometry).
class Prepared {
 public:
  Prepared(GEOSContextHandle_t ctx, const GEOSGeometry* g);
  ~Prepared();
  Prepared(const Prepared&) = delete;
  Prepared& operator=(const Prepared&) = delete;
  bool contains(const GEOSGeometry* g) const;
  bool intersects(const GEOSGeometry* g) const;

 private:
  GEOSContextHandle_t ctx_;
  const GEOSPreparedGeometry* p_;
};

class Geos {
 public:
  Geos();
  ~Geos();
  Geos(const Geos&) = delete;
  Geos& operator=(const Geos&) = delete;
  GEOSContextHandle_t ctx() const { return ctx_; }

  Geom from_wkb(const unsigned char* wkb, std::size_t size) const;
  Geom from(const MultiPolygon& mp) const;
  // Polygonal parts only; lines and points (e.g. collapsed parts after make-valid) are dropped.
  MultiPolygon to_multipolygon(const GEOSGeometry* g) const;

  bool is_valid(const GEOSGeometry* g, std::string* reason) const;
  // GEOS make-valid with the "structure" method: rings are rebuilt as areas, collapsed parts
  // are dropped.
  Geom make_valid(const GEOSGeometry* g) const;
  // Checks `mp` again, e.g. after projection (parts that were apart in lon/lat can touch mid-edge
  // or overlap in metres, a thin ring can cross itself) and repairs it in place with make_valid
  // when invalid. Returns true when it was repaired; `mp` may come back empty (no area left).
  bool revalidate(MultiPolygon& mp) const;
  Geom buffer(const GEOSGeometry* g, double distance) const;
  Geom intersection(const GEOSGeometry* a, const GEOSGeometry* b) const;
  Geom difference(const GEOSGeometry* a, const GEOSGeometry* b) const;
  Geom boundary(const GEOSGeometry* g) const;
  bool intersects(const GEOSGeometry* a, const GEOSGeometry* b) const;
  // The project's one rule for "a hotspot meets a commune (or zone)": their interiors meet.
  // Shapes that only touch along a boundary or at a point do not meet.
  bool interiors_meet(const GEOSGeometry* a, const GEOSGeometry* b) const;
  bool covers(const GEOSGeometry* a, const GEOSGeometry* b) const;
  Geom multipoint(const std::vector<XY>& points) const;
  Geom convex_hull(const GEOSGeometry* g) const;
  // GEOS >= 3.11 concave hull by edge-length ratio (0 = tightest, 1 = convex), without holes.
  Geom concave_hull(const GEOSGeometry* g, double ratio) const;
  double area(const GEOSGeometry* g) const;
  // A point guaranteed to lie in the interior of a polygonal `g` (GEOS PointOnSurface): where a
  // label or a patrol waypoint goes; a centroid of a non-convex shape may fall outside it.
  XY point_on_surface(const GEOSGeometry* g) const;
  // Union of many polygons (GEOS cascaded union).
  Geom union_all(const std::vector<MultiPolygon>& parts) const;
  // Convex hull of points, as a polygon (empty result for fewer than 3 distinct points).
  Geom convex_hull(const std::vector<XY>& pts) const;
  double length(const GEOSGeometry* g) const;
  std::string last_error() const { return error_; }

 private:
  Geom check(GEOSGeometry* g, const char* what) const;
  GEOSContextHandle_t ctx_;
  std::string error_;
};

}  // namespace hotspot
