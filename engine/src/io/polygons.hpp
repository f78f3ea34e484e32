#pragma once
// Polygon layers (communes, industrial zones) from any OGR source, repaired and as MultiPolygon,
// still in their source CRS.
#include <string>

#include "hotspot/ingest.hpp"

namespace hotspot {

// `what` names the layer in messages ("communes", "zones"); `crs_option` is the override flag.
PolygonLayer read_polygons(const PolygonOptions& options, const std::string& what,
                           const std::string& crs_option);

}  // namespace hotspot
