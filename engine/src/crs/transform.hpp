#pragma once
// OGR/PROJ behind a small value interface. Every OGRSpatialReference made here has its axis
// mapping pinned to traditional GIS order (x = easting/longitude, y = northing/latitude).
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "hotspot/crs.hpp"
#include "hotspot/geometry.hpp"

class OGRSpatialReference;
class OGRCoordinateTransformation;

namespace hotspot {
// Installs, once, the handler that routes GDAL's and PROJ's messages through our warnings instead
// of GDAL's raw "ERROR 1: ..." lines on stderr. parse_crs and the GDAL readers call it.
void route_library_messages();
}  // namespace hotspot

namespace hotspot {

// Builds the Crs value from an OGR SRS; null means the source has no CRS.
Crs crs_from_ogr(const OGRSpatialReference* srs);

// CRSs of PROJ's EPSG database whose name approximately matches `text` ("VN-2000" -> "EPSG:3405
// (VN-2000 / UTM zone 48N), ..."), at most six, for messages; "" when none.
std::string crs_suggestions(const std::string& text, bool projected_only);

// A heap OGRSpatialReference for a non-planar Crs, axis order pinned.
std::unique_ptr<OGRSpatialReference> to_ogr(const Crs& crs);

class PreparedTransformer;

class Transformer {
 public:
  // Throws CrsError when one side is planar and the other is not, or PROJ finds no path.
  Transformer(const Crs& from, const Crs& to);
  ~Transformer();
  Transformer(Transformer&&) noexcept;
  // In place. Points PROJ cannot transform become NaN; returns how many did. With threads > 1
  // each thread uses its own clone of the transformation (PROJ objects are not thread-safe);
  // every point is transformed on its own, so the result does not depend on the thread count.
  std::size_t transform(std::size_t n, double* x, double* y, int threads = 1) const;
  bool identity() const { return !ct_; }

 private:
  friend class PreparedTransformer;
  explicit Transformer(std::unique_ptr<OGRCoordinateTransformation> ct);
  std::unique_ptr<OGRCoordinateTransformation> ct_;
};

// Builds the transformation between two CRSs on a thread of its own, so PROJ's search of its
// database (20-70 ms for a datum shift such as WGS 84 -> VN-2000) overlaps reading the data
// instead of following it. The transformation is the one Transformer(from, to) would build.
class PreparedTransformer {
 public:
  PreparedTransformer();  // nothing prepared
  PreparedTransformer(const Crs& from, const Crs& to);
  ~PreparedTransformer();  // waits for the thread
  PreparedTransformer(const PreparedTransformer&) = delete;
  PreparedTransformer& operator=(const PreparedTransformer&) = delete;
  // Transformer(from, to): the prepared transformation when it is for this pair, else a new one
  // (with the same errors).
  Transformer take(const Crs& from, const Crs& to);

 private:
  std::string from_wkt_, to_wkt_;
  std::unique_ptr<OGRCoordinateTransformation> ct_;
  std::thread thread_;
};

// A file's own datum shift that PROJ does not apply. A CRS that carries both an authority code and
// a TOWGS84 of its own (a bound CRS, e.g. VN-2000 with a provincial 7-parameter shift) is
// transformed with the authority's registered datum transformation, as QGIS and ogr2ogr do, from
// it and into it alike; the file's shift is ignored.
struct IgnoredShift {
  std::string towgs84;  // the file's parameters: "0, 0, 0, 0, 0, 0, 0"
  std::string proj;     // a PROJ string of the file's CRS that keeps its shift (no code)
  double metres = 0;    // how far apart the two shifts put a point at the CRS's area of use
};
// Set when `crs` is such a CRS and the two shifts place a point at the centre of its area of use
// more than 1 m apart; else nullopt (at once for a CRS without a TOWGS84).
std::optional<IgnoredShift> ignored_datum_shift(const Crs& crs);
// Whether transforming between `a` and `b` changes datum (a shift is applied at all).
bool changes_datum(const Crs& a, const Crs& b);

// Projects every ring of `mp` in place. Returns false, leaving `mp` partly projected, when PROJ
// cannot transform some vertex: the caller names the feature and refuses it (no NaN vertex may
// reach an output).
bool transform_multipolygon(const Transformer& t, MultiPolygon& mp);

// Area in m² of a MultiPolygon in the geographic CRS `crs` (x = longitude, y = latitude, degrees)
// on the CRS's ellipsoid, with PROJ's geodesic polygon area (Karney's algorithm): shells minus
// holes. Throws InternalError when `crs` is not geographic.
double geodesic_area_m2(const MultiPolygon& mp, const Crs& crs);

}  // namespace hotspot
