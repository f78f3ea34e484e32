#pragma once
// Polygon repair for callers that bring their own polygons (Python): the rule every polygon
// layer gets when read (io/polygons), so the CLI and Python analyse the same shapes.
// Implemented in src/geom/geos.cpp.
#include "hotspot/geometry.hpp"

namespace hotspot {

// The polygon through GEOS, repaired with make-valid (structure method, collapsed parts
// dropped) when GEOS finds it invalid; *repaired says whether it was.
MultiPolygon valid_polygon(const MultiPolygon& mp, bool* repaired);

}  // namespace hotspot
