#pragma once
// What hotspot init recognises beyond the field roles (io/field_roles.hpp): a CSV's CRS by its
// coordinate ranges.
#include <string>
#include <vector>

#include "hotspot/crs.hpp"
#include "hotspot/geometry.hpp"
#include "io/field_roles.hpp"

namespace hotspot {

std::string join_names(const std::vector<std::string>& names);

struct Ranges {
  double xmin, xmax, ymin, ymax;
  std::size_t n = 0;  // rows where both parse
};
// Over the values that parse as numbers (a decimal comma too).
Ranges value_ranges(const std::vector<std::string>& xs, const std::vector<std::string>& ys);

struct CoordinateGuess {
  std::string crs;   // what to write as inputs.incidents.crs; empty: nothing detected
  bool swap = false;  // the columns hold y then x (surveyors' order, or lat/lon swapped)
  std::string note;  // how it was decided
  std::string todo;  // what could not be decided
};
// Longitude/latitude ranges: EPSG:4326. Metres inside the communes' extent (in the communes'
// projected CRS): that CRS. Otherwise the ranges are named (VN-2000 ones flagged) as a todo.
CoordinateGuess guess_crs(const Ranges& r, const Crs* communes_crs, const Box& communes_extent);
// A hint for a layer without a CRS, from its extent ("coordinates look like degrees", ...).
std::string crs_hint(const Box& extent);

}  // namespace hotspot
