#pragma once
// Emerging hot spot analysis (after ArcGIS's tool of that name): incidents are counted into a
// space-time cube (grid cells x time steps), each bin gets a space-time Getis-Ord Gi*, and each
// cell's series of Gi* results is classified into one of 17 patterns.
#include <cstdint>
#include <string>
#include <vector>

#include "hotspot/jobs.hpp"

namespace hotspot {

// The 17 categories; the names are ArcGIS's, definitions in README ("Emerging hot spots").
enum class Emerging : std::int8_t {
  NoPattern = 0,
  NewHot, ConsecutiveHot, IntensifyingHot, PersistentHot, DiminishingHot, SporadicHot, OscillatingHot, HistoricalHot,
  NewCold, ConsecutiveCold, IntensifyingCold, PersistentCold, DiminishingCold, SporadicCold, OscillatingCold,
  HistoricalCold,
};
const char* emerging_name(Emerging e);  // "New Hot Spot", ..., "No Pattern Detected"

struct EmergingOptions {
  InputOptions inputs;       // communes optional: their union is the study area when given
  std::string grid;          // hex:SIZE or square:SIZE (metres, or data units for planar input)
  std::string time_step = "1w";  // Nd, Nw or Nmo (N >= 1, default 1): days, Monday-based weeks, calendar months
  double band = 0;           // spatial neighbourhood, metres; DEFAULT (0): 1.5 x cell size (the first ring)
  int neighbourhood_time = 1;  // also the k previous steps; DEFAULT: 1
  double alpha = 0.05;       // significance of a bin's Gi* (two-sided) and of the Mann-Kendall trend
  std::string out;
  std::string command_line;
};

struct EmergingSummary {
  RunSummary run;
  std::size_t cells = 0, steps = 0, empty_steps = 0;
  double cell_size = 0, band = 0;
  std::vector<std::pair<std::string, std::int64_t>> categories;  // name, cells, in category order
};

// Every check of the options that needs no data (grid, time step, band, neighbourhood, alpha);
// throws UsageError. Neither `out` nor `inputs` is looked at.
void check_emerging_options(const EmergingOptions& options);
EmergingSummary run_emerging(const EmergingOptions& options);

}  // namespace hotspot
