#pragma once
// Polygon layers (communes, industrial zones) from any OGR source, repaired and as MultiPolygon,
// still in their source CRS.
#include <string>

#include "hotspot/ingest.hpp"

class OGRGeometry;

namespace hotspot {
class Geos;
}

namespace hotspot {

// An OGR polygonal geometry as a valid MultiPolygon: curves linearised, invalid geometries
// repaired with GEOS make-valid (structure method; *repaired set), collapsed parts dropped. Empty
// when no area is left.
MultiPolygon valid_multipolygon(const OGRGeometry& g, const Geos& geos, bool* repaired);

// `what` names the layer in messages ("communes", "zones"); `crs_option` is the override flag.
PolygonLayer read_polygons(const PolygonOptions& options, const std::string& what,
                           const std::string& crs_option);

}  // namespace hotspot
