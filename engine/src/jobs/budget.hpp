#pragma once
// Resource bounds: the memory and the work of an analysis estimated from the inputs' counts and
// extent before anything large is allocated, and refused (exit 2 for an option, exit 3 for the
// data) with the estimate, the limit and the option to change. The standalone commands and
// `hotspot run` (and run --check) call the same estimators, so they accept the same jobs.
#include <cstdint>
#include <string>
#include <vector>

#include "hotspot/geometry.hpp"
#include "hotspot/jobs.hpp"
#include "hotspot/jobs/emerging.hpp"
#include "hotspot/jobs/kde.hpp"
#include "hotspot/jobs/local.hpp"
#include "hotspot/spacetime.hpp"

namespace hotspot {

// physical_memory_bytes, resolve_max_memory and parse_memory_size are in hotspot/jobs.hpp.
std::string bytes_text(double bytes);  // "9.2 GiB"
std::string count_text(double n);      // "1,234,567"

// Elementary operations (a draw, a comparison, a kernel evaluation) one analysis may take:
// about a minute or two of one core. Not an option: a job above it needs fewer permutations, a
// coarser grid or a longer time step.
constexpr double kMaxWork = 1e11;
// Near-repeat's comparisons (a close pair in one time band, for the observed times or one
// permutation) are streamed and vectorised: about 1e11 a minute on two cores, so its limit is
// about ten minutes, a nightly step's worth; 999 permutations over the 43M close pairs of the
// full-run benchmark (1.3e11) must run.
constexpr double kMaxKnoxWork = 1e12;

// Estimators: plain arithmetic on counts, no allocation proportional to the data.
// A KDE grid: the Float32 surface, the mask and its prefix sums, the zone labels.
double kde_bytes(double cells, bool masked);
// Non-zero weights of a distance band on these points (self excluded): every unit's neighbours
// counted exactly for a systematic sample of at most 256 units, scaled to all.
double band_links(const std::vector<XY>& xy, double band);
// The weights of a local analysis with `links` entries: the weights themselves, Gi*'s copy with
// the unit itself and Local Moran's row-standardised copy.
double weights_bytes(double links, double units);
// Draws of the conditional permutations: each permutation of each unit draws its neighbours.
double permutation_work(double links, double units, double permutations);
// A space-time cube of cells × steps bins (counts, lags, Gi* z and p) and its Mann-Kendall
// trends (two per cell, O(steps²) each).
double cube_bytes(double cells, double steps);
double cube_work(double cells, double steps);
// Cells of a grid of centre spacing `size_m` (hexagons or squares) over a box.
double grid_cells(const Box& extent, double size_m, bool hexagons);

// Throws ParameterError(parameter, ...) (exit 2) when need > limit: "<what> needs about <need>;
// the limit is <limit>; <advice>". With `data_problem`, an InputError (exit 3) instead.
void require_memory(const std::string& parameter, double need_bytes, std::uint64_t budget,
                    const std::string& what, const std::string& advice, bool data_problem = false);
void require_work(const std::string& parameter, double work, double limit, const std::string& what,
                  const std::string& advice, bool data_problem = false);

// The earliest and latest of `times` (UTC seconds; kNoTime ignored) when a few of them stretch
// the span: the widest gap between consecutive times is more than half the span and one side of
// it holds at most 1 % of the times. "1 incident dated 0024-03-01 (the next is 2015-01-03)", or
// empty when there is no such outlier.
std::string time_outliers(const std::vector<std::int64_t>& times, int utc_offset_minutes);

}  // namespace hotspot

// ---- preflights: the estimates of one analysis on loaded inputs ---------------------------------
// Each step calls its own before it allocates anything proportional to the result, `hotspot run`
// calls all of them after loading and before the first step, and run --check calls them too.
// They throw as require_memory / require_work do.
namespace hotspot {

struct LoadedInputs;
struct Crs;

// A length option's value that is a plausible angle but an absurd length in a metre CRS (0.005
// for "about 500 m in degrees") is refused (exit 2, naming `parameter`), as is a working CRS in
// degrees; lengths of planar data (data units) are not checked. Every length option where degrees
// are a likely mistake calls it: kde cell_size and bandwidth, cluster eps, local and emerging
// grid sizes and bands, emerging band, aggregate zone_buffer, near-repeat space bands.
constexpr double kMinLengthM = 0.01;  // 1 cm
void refuse_degree_like(double length, const char* parameter, const Crs& work);
// The study area's box: the communes' when loaded, else the incidents'.
Box study_extent(const LoadedInputs& in);

// A KDE grid of `cols` × `rows` cells (exact, once the grid is chosen); lengths are in data units
// when `planar`.
void require_kde_grid(std::int64_t cols, std::int64_t rows, double cell_m, bool masked,
                      std::size_t points, double support_m, bool planar, std::uint64_t budget);
void kde_preflight(const LoadedInputs& in, const KdeStepOptions& o);
// Grid units, weights links and permutations of a local analysis on communes or a grid.
void local_preflight(const LoadedInputs& in, const LocalOptions& o);
// Weights and permutations once the units are known (every units source, file units too).
void require_local_weights(const std::vector<XY>& xy, const WeightsSpec& spec, int permutations,
                           std::uint64_t budget);
// The grid, the cube's bins and its trends; an outlier in time that stretches the cube is named
// (exit 3).
void emerging_preflight(const LoadedInputs& in, const EmergingStepOptions& o);
// The Knox test's memory (the cell grid and the permuted times) and its work: the close pairs
// (within the last space band, counted on a sample) compared in each time band for the observed
// times and each permutation. Returns that work; above kLongKnoxWork it is told to o.note first.
constexpr double kLongKnoxWork = 1e10;  // about ten seconds on two cores
double knox_preflight(const LoadedInputs& in, const KnoxOptions& o);

}  // namespace hotspot
