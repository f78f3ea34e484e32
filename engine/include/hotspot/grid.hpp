#pragma once
// The spec of a generated analysis grid (hexagons or fishnet squares), parsed once from "hex:250"
// or "square:250". The grid itself is built in src/aggregate/grid.cpp.
#include <string>

namespace hotspot {

enum class CellShape { Hex, Square };

// size_m: distance between the centres of adjacent cells. Hexagons are pointy-top, so this is
// their width across the flats (area √3/2·size²); squares have side size (area size²).
struct GridSpec {
  CellShape shape = CellShape::Hex;  // DEFAULT: hexagons
  double size_m = 0;                 // REQUIRES: > 0 (data units for planar data)
};

// "hex:250" or "square:250" (metres, or data units for planar input); throws ParameterError
// naming `parameter` ("grid"). `auto` is not handled here (it needs the data).
GridSpec parse_grid_spec(const std::string& text, const std::string& parameter);
// The text parse_grid_spec reads back to the same spec ("hex:250").
std::string grid_spec_text(const GridSpec& spec);

}  // namespace hotspot
