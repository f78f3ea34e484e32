#pragma once
// Kernel density surfaces and the hotspot zones drawn from them.
//
// Definition. The value at a cell centre c is
//     f(c) = Σᵢ wᵢ · K(‖c − xᵢ‖ / h) / h²                       (per m², then × area unit)
// where K is a radial kernel that integrates to 1 over the plane (∫ K(‖v‖) dv = 1), h is the
// bandwidth in metres (the working CRS's unit) and wᵢ the weight of incident i (1 without a
// weight field). With u = ‖c − xᵢ‖ / h:
//     quartic (default, ArcGIS's form)  3/π · (1 − u²)²     u < 1
//     epanechnikov                      2/π · (1 − u²)      u < 1
//     triweight                         4/π · (1 − u²)³     u < 1
//     triangular                        3/π · (1 − u)       u < 1
//     uniform                           1/π                 u < 1
//     gaussian                          exp(−u²/2) / (2π (1 − e^{−12.5}))   u < 5
// The Gaussian's h is its standard deviation σ; it is truncated at 5σ and rescaled so that the
// truncated kernel still integrates to 1 (the tail beyond 5σ holds e^{−12.5} ≈ 3.7e−6 of the mass).
//
// Grid. With an extent (xmin, ymin, xmax, ymax) the raster's top-left corner is (xmin, ymax) and
// it has ceil((xmax − xmin)/cell) columns and ceil((ymax − ymin)/cell) rows; cell (r, c) has its
// centre at (xmin + (c + ½)·cell, ymax − (r + ½)·cell).
//
// Edge correction (spatstat's "uniform" correction): inside a mask W the value is divided by
// e(c) = Σ_{c' ∈ W} K(‖c' − c‖/h) / Σ_{c'} K(‖c' − c‖/h), the share of the kernel centred on c
// that lies inside W, summed over cell centres. Points spread uniformly over W then give a flat
// surface up to the edge of W.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "hotspot/geometry.hpp"
#include "hotspot/window.hpp"

namespace hotspot {

enum class Kernel { kQuartic, kEpanechnikov, kTriweight, kTriangular, kUniform, kGaussian };

// "quartic", ...; throws ParameterError("kernel") for an unknown name.
Kernel parse_kernel(const std::string& name);
const char* kernel_name(Kernel k);
// K as a function of u² = (d/h)²; 0 outside the support.
double kernel_value(Kernel k, double u2);
// Radius of the support in units of h (1 for the compact kernels, 5 for the Gaussian).
double kernel_support(Kernel k);
// Standard deviation of one coordinate under K with h = 1 (quartic 1/√8, Gaussian 1, ...). Used
// to carry a bandwidth from one kernel to another at equal variance.
double kernel_sigma(Kernel k);

struct Grid {
  double xmin = 0, ymax = 0;
  double cell = 1;  // metres
  std::int64_t cols = 0, rows = 0;

  double x(std::int64_t col) const { return xmin + (static_cast<double>(col) + 0.5) * cell; }
  double y(std::int64_t row) const { return ymax - (static_cast<double>(row) + 0.5) * cell; }
  Box box() const {
    return {xmin, ymax - static_cast<double>(rows) * cell, xmin + static_cast<double>(cols) * cell,
            ymax};
  }
  std::size_t size() const { return static_cast<std::size_t>(cols * rows); }
};

// The grid rule above; throws ParameterError naming cell_size or extent when the extent is empty
// or the grid would exceed max_cells. `unit` names lengths in its messages ("m", "data units").
Grid grid_for_extent(const Box& extent, double cell, std::int64_t max_cells = 2'000'000'000,
                     const char* unit = "m");

struct KdeOptions {
  Kernel kernel = Kernel::kQuartic;  // DEFAULT: quartic
  double bandwidth_m = 0;            // h; required, > 0
  double area_scale = 1e6;           // value per m² × area_scale; DEFAULT: 1e6 (per km²)
  bool edge_correction = false;      // DEFAULT: off; needs a mask
  int threads = 0;                   // DEFAULT: all cores
  int tile = 256;                    // columns per block (blocks are up to 64 rows); DEFAULT: 256
};

// Float32 cells, row-major from the top-left; nodata where the mask excludes a cell.
struct DensityRaster {
  Grid grid;
  std::vector<float> values;
  float nodata = -9999.0f;
};

// Exact splatting: each cell gets the closed-form sum above. `w` may be empty (all 1). `mask`
// (empty: none) holds one byte per cell, nonzero inside. The result is identical at any thread
// count and on any x86-64 CPU. Memory: the output raster, a row-sorted copy of the points that
// reach it (16 bytes each, 24 with weights) and one block (tile × up to 64 cells) of doubles per
// thread (plus, with edge correction, one int32 per cell for the mask's row prefix counts).
DensityRaster kde(std::span<const double> x, std::span<const double> y, std::span<const double> w,
                  const Grid& grid, const std::vector<std::uint8_t>& mask,
                  const KdeOptions& options);

// The brute-force twin, for tests only: every cell against every point, in double, no tiles.
std::vector<double> kde_brute_force(const std::vector<double>& x, const std::vector<double>& y,
                                    const std::vector<double>& w, const Grid& grid,
                                    const std::vector<std::uint8_t>& mask,
                                    const KdeOptions& options);

// One byte per cell: 1 where the cell centre lies in one of the polygons.
std::vector<std::uint8_t> rasterize_mask(const std::vector<MultiPolygon>& polygons,
                                         const Grid& grid, int threads);

// ---- Bandwidth -----------------------------------------------------------------------------

// ArcGIS's spatial variant of Silverman's rule, a quartic search radius in metres:
//   h = 0.9 · min(SD, √(1/ln 2) · Dm) · n^(−1/5)
// SD: standard distance √(Σwᵢ‖xᵢ − x̄‖² / Σwᵢ) about the (weighted) mean centre x̄; Dm: the
// (weighted) median of ‖xᵢ − x̄‖; n: Σwᵢ (the number of incidents without weights).
double bandwidth_arcgis(std::span<const double> x, std::span<const double> y,
                        std::span<const double> w);

// Scott's rule as spatstat's bw.scott(X, isotropic = TRUE): σ = (sd(x)·sd(y))^½ · n^(−1/6),
// sd with the n − 1 denominator. A Gaussian σ in metres.
double bandwidth_scott(std::span<const double> x, std::span<const double> y);

// Likelihood cross-validation, the analogue of spatstat's bw.ppl(X, edge = FALSE) with a
// Gaussian kernel in the rectangle `window`:
//   LCV(σ) = Σᵢ log λ̂₋ᵢ(xᵢ) − ∫_W λ̂(u) du,  λ̂₋ᵢ(xᵢ) = Σ_{j≠i} φ_σ(xᵢ − xⱼ)
// (φ_σ the untruncated isotropic Gaussian density), ∫_W λ̂ in closed form with erf. Scored on
// spatstat's grid (ns values spaced geometrically from the smallest positive nearest-neighbour
// distance to half the window's diameter), then refined by golden-section search between the
// neighbours of the best grid value. Exact, so O(n²) per σ at the large end of the grid: refused
// (UsageError) above 20,000 incidents.
struct CvResult {
  double sigma_m = 0;                  // refined optimum
  double grid_sigma_m = 0;             // best value on the grid (bw.ppl's answer)
  std::vector<double> sigmas, scores;  // the grid and LCV on it
};
double lcv_score(std::span<const double> x, std::span<const double> y, const Box& window,
                 double sigma, int threads);
CvResult bandwidth_cv(std::span<const double> x, std::span<const double> y, const Box& window,
                      int threads, int ns = 16);

// ---- Hotspot zones --------------------------------------------------------------------------

// A hotspot zone: a 4-connected set of cells with value ≥ threshold, as a polygon.
struct HotspotZone {
  MultiPolygon geom;
  std::int64_t cells = 0;
  double area_m2 = 0;
  std::int64_t incidents = 0;                 // incidents whose cell is in the zone
  double peak = 0, mean = 0;                  // density, in the raster's unit
  double pai = 0;                             // (incidents / N) / (area / study area)
  std::vector<std::int32_t> communes, zones;  // polygons it intersects
};

// Threshold for the top-percent rule: the density of the last cell of the smallest set of highest
// cells that holds `percent` % of the incidents (cells are counted whole: density ≥ threshold).
double threshold_top_percent(const DensityRaster& r, const std::vector<double>& x,
                             const std::vector<double>& y, double percent);
// Threshold for the percentile rule: that percentile (type 7, as R's quantile) of the positive
// valid cells.
double threshold_percentile(const DensityRaster& r, double percentile);

// zone_of (optional): for each point, the index of the zone holding it, or -1.
std::vector<HotspotZone> hotspot_zones(const DensityRaster& r, double threshold,
                                       const std::vector<double>& x, const std::vector<double>& y,
                                       const std::vector<MultiPolygon>& communes,
                                       const std::vector<MultiPolygon>& zones,
                                       std::vector<std::int32_t>* zone_of = nullptr);

// ---- Choosing the surface: what the kde step decides before it estimates ----------------------
// Each takes typed values and returns typed values, so a caller (the kde step, a test, Python)
// gets the same bandwidth, grid and zones from the same inputs.

// The unit a density is given per.
enum class AreaUnit { kKm2, kHa, kM2 };
// "km2" | "ha" | "m2"; throws ParameterError("area_unit") for another name.
AreaUnit parse_area_unit(const std::string& name);
const char* area_unit_name(AreaUnit u);   // "km2"
// "km²", for "incidents per km²". On planar data (lengths in data units) the same scale reads
// "(1000 data units)²", "(100 data units)²" or "data unit²".
const char* area_unit_label(AreaUnit u, bool planar = false);
double area_scale(AreaUnit u);            // m² in one unit: the KdeOptions::area_scale

// How the bandwidth is chosen.
enum class BandwidthRule {
  kAuto,   // ArcGIS's spatial Silverman rule (a quartic radius)
  kScott,  // Scott's rule (a Gaussian σ)
  kCv,     // likelihood cross-validation (a Gaussian σ)
  kGiven,  // metres
};
struct BandwidthSpec {
  BandwidthRule rule = BandwidthRule::kAuto;  // DEFAULT: auto
  double metres = 0;                          // REQUIRES: > 0 and finite when rule is kGiven
  std::string text = "auto";                  // as given ("auto", "500m"), for the record
};
// "auto" | "scott" | "cv" | a length "500", "500m", "0.5km". Throws ParameterError("bandwidth")
// for anything else, degrees included ("0.005deg"): every length is in the working CRS's metres.
BandwidthSpec parse_bandwidth(const std::string& text);
// A given length in metres.
BandwidthSpec bandwidth_metres(double metres);

struct BandwidthChoice {
  double bandwidth_m = 0;  // h for the chosen kernel
  std::string
      detail;  // how it was found: "auto (ArcGIS spatial Silverman: quartic radius 120.3 m)"
  std::optional<CvResult> cv;  // the cross-validation's grid and scores (rule kCv)
};
// The bandwidth for `kernel`. The selectors give a quartic radius (auto) or a Gaussian σ (scott,
// cv); either is carried to `kernel` at equal variance: h = σ_rule / kernel_sigma(kernel), with
// σ_rule = radius · kernel_sigma(quartic) for auto. A given length is taken as it is. cv scores
// inside `cv_window` (the mask's or the points' bounding box). `unit` names the lengths in
// `detail`: "m", or "data units" on planar data.
BandwidthChoice choose_bandwidth(const BandwidthSpec& spec, Kernel kernel,
                                 std::span<const double> x, std::span<const double> y,
                                 std::span<const double> w, const Box& cv_window, int threads,
                                 const char* unit);

// The grid of a surface: `extent` when given, else `around` (the mask's or the points' bounding
// box) grown by one bandwidth on every side, so no kernel is cut at the raster's edge. Throws
// ParameterError as grid_for_extent, with lengths in `unit`.
Grid choose_grid(const std::optional<Box>& extent, const Box& around, double bandwidth_m,
                 double cell_m, const char* unit);

// Which cells make hotspot zones.
struct ZoneRule {
  enum class Kind {
    kNone,        // no zones
    kTopPercent,  // the smallest set of highest cells holding `value` % of the incidents
    kThreshold,   // cells with density >= `value`
    kPercentile,  // cells at or above the `value` percentile of the positive cells
  };
  Kind kind = Kind::kNone;  // DEFAULT: no zones
  // REQUIRES: top percent in (0, 100]; percentile in [0, 100]; threshold finite and >= 0.
  double value = 0;
};
// The same rule, checked: throws ParameterError naming top_percent, threshold or percentile.
ZoneRule zone_rule(ZoneRule::Kind kind, double value);

struct ZoneThreshold {
  double value = -1;  // density threshold; -1 for kNone
  std::string
      rule;  // "top 10 % of incidents", "95th percentile of positive cells", "given"; "" for kNone
};
// The threshold `rule` gives on the surface, with the incidents (x, y) it was estimated from.
ZoneThreshold zone_threshold(const ZoneRule& rule, const DensityRaster& r,
                             const std::vector<double>& x, const std::vector<double>& y);

// ---- The incidents a surface is estimated from ----------------------------------------------

// The kept incidents as plain columns, with why the others were left out.
struct KdePoints {
  std::vector<double> x, y, w;     // w empty when the incidents have no weights
  std::vector<std::size_t> index;  // of each kept incident among the given ones
  // Left out by categories, dates (from/to), hours, days (weekdays), no time, the mask.
  std::int64_t by_category = 0, by_date = 0, by_hour = 0, by_weekday = 0, no_time = 0,
               outside_mask = 0;
};

// The incidents in the window and the categories. `time_utc` holds UTC seconds or kNoTime (an
// incident without a time is left out when the window sets anything); `category` codes with
// `category_ok` from select_categories (empty: every category; Dictionary::kNone is then kept).
// REQUIRES: x, y, time_utc and category of one length; w empty or of that length.
KdePoints select_points(const std::vector<double>& x, const std::vector<double>& y,
                        const std::vector<double>& w, const std::vector<std::int64_t>& time_utc,
                        const std::vector<std::uint32_t>& category,
                        const std::vector<char>& category_ok, const TimeWindow& window,
                        int utc_offset_minutes);

// Leaves out the points outside every mask polygon (spatstat's convention: they are not part of
// the pattern), counting them in outside_mask. threads: 0 = all cores; the result never depends on it.
void drop_outside(KdePoints& points, const std::vector<MultiPolygon>& mask, int threads = 1);

}  // namespace hotspot
