#pragma once
// Line layers drawn for orientation only (roads): any OGR line layer, projected to the working
// CRS. Nothing is computed from them.
#include <string>
#include <vector>

#include "hotspot/crs.hpp"
#include "hotspot/geometry.hpp"

namespace hotspot {

struct LineOptions {
  std::string path;
  std::string layer;  // DEFAULT: the first
  std::string crs;    // DEFAULT: the layer's
};

// Every LineString (MultiLineStrings split; polygons' rings and points refused) in `work`.
// Throws IoError (cannot open), InputError (a feature that is not a line, or a vertex PROJ cannot
// transform) or CrsError, each naming `what` ("inputs.roads").
std::vector<std::vector<XY>> read_lines(const LineOptions& o, const Crs& work, const std::string& what);

}  // namespace hotspot
