#pragma once
// Small geometry kit for the generator: points and rings, RAII over the GEOS C API, a banded
// point-in-polygon test for reject sampling, and the EPSG:9210 <-> EPSG:4326 projection.
#include <geos_c.h>

#include <memory>
#include <string>
#include <vector>

class OGRCoordinateTransformation;

namespace datagen {

struct Pt {
  double x = 0;
  double y = 0;
};
using Ring = std::vector<Pt>;  // closed: the first vertex is repeated at the end

double ring_area_m2(const Ring& ring);  // absolute shoelace area

// Coordinates on the millimetre grid that the tessellation is snapped to (see district.cpp).
double snap_mm(double v);

class Geos;
struct GeomDeleter {
  GEOSContextHandle_t h = nullptr;
  void operator()(GEOSGeometry* g) const {
    if (g) GEOSGeom_destroy_r(h, g);
  }
};
using GeomPtr = std::unique_ptr<GEOSGeometry, GeomDeleter>;

struct PreparedDeleter {
  GEOSContextHandle_t h = nullptr;
  void operator()(const GEOSPreparedGeometry* g) const {
    if (g) GEOSPreparedGeom_destroy_r(h, g);
  }
};
using PreparedPtr = std::unique_ptr<const GEOSPreparedGeometry, PreparedDeleter>;

// Owns one GEOS context. Every call that can fail goes through own(), which throws with the
// message GEOS reported instead of handing back a null pointer.
class Geos {
 public:
  Geos();
  ~Geos();
  Geos(const Geos&) = delete;
  Geos& operator=(const Geos&) = delete;

  GEOSContextHandle_t h() const { return h_; }
  GeomPtr own(GEOSGeometry* g, const char* what) const;
  PreparedPtr prepare(const GEOSGeometry* g) const;

  GeomPtr polygon(const Ring& shell) const;
  GeomPtr line(const std::vector<Pt>& pts) const;
  GeomPtr point(Pt p) const;
  GeomPtr multipoint(const std::vector<Pt>& pts) const;
  // Takes ownership of the parts.
  GeomPtr collection(int type, std::vector<GeomPtr> parts) const;

  double area(const GEOSGeometry* g) const;
  double distance(const GEOSGeometry* a, const GEOSGeometry* b) const;
  Pt xy(const GEOSGeometry* point) const;
  std::vector<Pt> coords(const GEOSGeometry* simple) const;  // LineString / LinearRing
  // Every ring of a Polygon or MultiPolygon (shells and holes alike).
  std::vector<Ring> rings(const GEOSGeometry* g) const;
  // Every LineString of a LineString / MultiLineString / GeometryCollection.
  std::vector<std::vector<Pt>> lines(const GEOSGeometry* g) const;
  // Polygon parts of a Polygon / MultiPolygon / GeometryCollection, cloned.
  std::vector<GeomPtr> polygons(const GEOSGeometry* g) const;
  // ISO WKB (2D) of g.
  std::vector<unsigned char> wkb(const GEOSGeometry* g) const;

  std::string last_error;

 private:
  GEOSContextHandle_t h_;
};

// Even-odd point-in-polygon over a set of rings (a polygon with holes, or several polygons that
// do not overlap). Edges are bucketed by horizontal bands, so a test touches only the few edges
// that cross the point's band: reject-sampling a million incidents stays cheap.
class PointInRings {
 public:
  PointInRings() = default;
  explicit PointInRings(const std::vector<Ring>& rings, int bands = 256);
  bool contains(Pt p) const;
  double xmin() const { return xmin_; }
  double ymin() const { return ymin_; }
  double xmax() const { return xmax_; }
  double ymax() const { return ymax_; }

 private:
  struct Edge {
    double ax, ay, bx, by;
  };
  double xmin_ = 0, ymin_ = 0, xmax_ = -1, ymax_ = -1;
  double inv_band_h_ = 0;
  int nbands_ = 0;
  std::vector<std::size_t> band_start_;  // CSR: edges of band b are edges_[band_start_[b] ..]
  std::vector<Edge> edges_;
};

// EPSG:9210 (VN-2000 / TM-3 105-45, metres) <-> EPSG:4326, both in x = east order.
class Projector {
 public:
  Projector();
  ~Projector();
  Projector(const Projector&) = delete;
  Projector& operator=(const Projector&) = delete;

  // In place: easting/northing -> lon/lat, and back. Throws if any point fails.
  void to_lonlat(std::vector<double>& x, std::vector<double>& y);
  void to_metres(std::vector<double>& x, std::vector<double>& y);
  Pt to_lonlat(Pt p);
  Pt to_metres(Pt p);

 private:
  std::unique_ptr<OGRCoordinateTransformation> fwd_, inv_;
};

}  // namespace datagen
