#pragma once
// hotspot emerging and the run's emerging analysis: a grid over the study area, then emerging hot
// spots (hotspot/emerging.hpp) on the loaded incidents, as a command and as a step.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "hotspot/emerging.hpp"
#include "hotspot/jobs.hpp"
#include "hotspot/jobs/params.hpp"

namespace hotspot {

struct EmergingStepOptions {
  // The cells: hexagons or fishnet squares over the study area (the communes' union, else the
  // incidents' convex hull grown by half a cell). REQUIRES: set, from "hex:SIZE" | "square:SIZE".
  double cell_size_m = 0;     // centre spacing: a hexagon's width across the flats, a square's side
  bool square_cells = false;  // DEFAULT: hexagons
  std::string grid;           // the grid as given ("hex:500"), recorded in run_metadata
  std::string time_step = "1w";  // the time step as given, recorded; emerging.time_step holds it
  // Write the emerging_cube table (one row per cell and time step). DEFAULT: true. Parameter
  // name: cube (configuration); --no-cube on the command line. The other layers do not change.
  bool cube = true;
  EmergingOptions emerging;  // time_step, band_m, neighbourhood_time, alpha; utc_offset_minutes and
                             // threads are the caller's (the inputs' offset, the context's threads)
};

// grid, time_step, band, neighbourhood_time, alpha, cube (--no-cube).
const ParamTable<EmergingStepOptions>& emerging_params();

struct EmergingJobOptions {
  InputOptions inputs;  // communes optional: their union is the study area when given
  EmergingStepOptions step;
  std::string out;           // .gpkg path. REQUIRES: set
  std::string command_line;  // recorded in the run metadata
};

struct EmergingSummary {
  RunSummary run;
  std::vector<std::string> details;  // the cube, then one line per category that has cells
};

// load -> grid -> emerging hot spots -> write (layers emerging and emerging_cube, rejected rows,
// run metadata and a QGIS project).
EmergingSummary run_emerging(const EmergingJobOptions& options);

}  // namespace hotspot
