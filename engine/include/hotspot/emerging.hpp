#pragma once
// Emerging hot spot analysis (after ArcGIS's tool of that name): incidents are counted into a
// space-time cube (cells x time steps), each bin gets a space-time Getis-Ord Gi*, and each cell's
// series of Gi* results is classified into one of 17 patterns. Plain columns and cells in, typed
// results out; the `hotspot emerging` command and the run's emerging step are in
// hotspot/jobs/emerging.hpp.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "hotspot/aggregate.hpp"
#include "hotspot/geometry.hpp"
#include "hotspot/spacetime.hpp"

namespace hotspot {

// The 17 categories; the names are ArcGIS's, definitions in README ("Emerging hot spots").
enum class Emerging : std::int8_t {
  kNoPattern = 0,
  kNewHot,
  kConsecutiveHot,
  kIntensifyingHot,
  kPersistentHot,
  kDiminishingHot,
  kSporadicHot,
  kOscillatingHot,
  kHistoricalHot,
  kNewCold,
  kConsecutiveCold,
  kIntensifyingCold,
  kPersistentCold,
  kDiminishingCold,
  kSporadicCold,
  kOscillatingCold,
  kHistoricalCold,
};
constexpr int kEmergingCategories = 17;
const char* emerging_name(Emerging e);  // "New Hot Spot", ..., "No Pattern Detected"

// The length of a time step: days, Monday-based weeks or calendar months, in local time.
struct TimeStep {
  enum class Unit { kDay, kWeek, kMonth };
  Unit unit = Unit::kWeek;  // DEFAULT: weeks
  int count = 1;            // DEFAULT: 1. REQUIRES: 1..9999
};
// Emerging refuses fewer time steps (InputError, exit 3): a Mann-Kendall trend on a handful of
// points means nothing. ArcGIS's Emerging Hot Spot Analysis has the same floor.
constexpr std::size_t kMinEmergingSteps = 10;
// "1d", "7d", "1w", "2w", "1mo", "3mo"; throws ParameterError naming time_step.
TimeStep parse_time_step(const std::string& text);

// The cells of the cube: any polygons (a grid's cells, communes), with the points their
// neighbourhoods are measured from.
struct EmergingCells {
  std::vector<MultiPolygon> polygon;  // an incident counts in the first cell that holds it
  std::vector<XY> centroid;           // per cell. REQUIRES: as many as polygons
  double size_m = 0;  // centre spacing of a regular grid, for the default band; 0 for other cells
};

// The cells of `hotspot emerging`: a grid (hexagons or squares, spec) over the study area, the
// union of `communes`, else the convex hull of the incidents (x, y) grown by half a cell so every
// incident lies inside. One rule for the emerging step and Python. Throws ParameterError("grid")
// for a size that gives more than 5e6 lattice cells, InputError for fewer than 3 incidents
// without communes.
EmergingCells emerging_cells(const std::vector<MultiPolygon>& communes, const GridSpec& spec,
                             const std::vector<double>& x, const std::vector<double>& y);

struct EmergingOptions {
  TimeStep time_step;  // DEFAULT: 1 week
  double band_m = 0;   // spatial neighbourhood, metres: cells whose centroids are within it.
                       // DEFAULT (0): 1.5 x cells.size_m (a grid's first ring). REQUIRES: >= 0,
                       // and > 0 when cells.size_m is 0
  int neighbourhood_time = 1;  // a bin's neighbourhood also holds the k previous steps. DEFAULT: 1.
                               // REQUIRES: >= 0
  double alpha = 0.05;  // significance of a bin's Gi* (two-sided) and of the Mann-Kendall trend.
                        // DEFAULT: 0.05. REQUIRES: 0 < alpha < 1
  int utc_offset_minutes = 0;  // local time of the incidents: where days, weeks and months start
  int threads = 0;             // DEFAULT: 0 = all cores
};

// The cube and its analysis. Bins are indexed t * cells + c (step t, cell c).
struct EmergingResult {
  std::size_t cells = 0, steps = 0;
  std::vector<std::int64_t> step_start_utc;  // first instant of each step
  std::vector<double> count;                 // per bin: incidents (or the sum of their weights)
  std::vector<double> gi_z, gi_p;            // per bin: space-time Gi* (NaN where undefined)
  // Per cell: category, Mann-Kendall trend of its Gi* z series (undefined z as 0) and of its
  // counts, and its significant hot (z > 0, p < alpha) and cold bins.
  std::vector<Emerging> category;
  std::vector<MannKendall> gi_trend, count_trend;
  std::vector<std::int64_t> hot_steps, cold_steps;
  std::array<std::int64_t, kEmergingCategories> cells_per_category{};  // indexed by Emerging
  std::size_t empty_steps = 0;    // steps without an incident in any cell
  std::int64_t outside = 0;       // incidents in no cell
  std::int64_t without_time = 0;  // incidents in a cell but without a time
  double band_m = 0;              // the band used
};

// Counts the incidents (weights: per incident, empty = 1 each) into cells x steps, from the step
// holding the earliest incident to the one holding the latest, then Gi*, trends and classes.
// Throws ParameterError (time_step, band) for options, InputError when the data cannot make a
// cube (fewer than 2 cells or 2 steps, a constant cube).
EmergingResult emerging(const std::vector<double>& x, const std::vector<double>& y,
                        const std::vector<std::int64_t>& time_utc,
                        const std::vector<double>& weight, const EmergingCells& cells,
                        const EmergingOptions& options);

// A cell's category from its Gi* z and p per step (oldest first) and the Mann-Kendall trend of
// its z series. Hot bin: z > 0 and p < alpha; cold bin: z < 0 and p < alpha.
Emerging classify_emerging(const double* z, const double* p, std::size_t steps, double alpha,
                           const MannKendall& trend);

}  // namespace hotspot
