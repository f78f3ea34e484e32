#pragma once
// Local spatial statistics on sparse weights (hotspot/weights.hpp), equal to R spdep's:
//   Getis-Ord Gi*    = spdep::localG(x, nb2listw(include.self(nb), style = "B"))
//   Local Moran's I  = spdep::localmoran(x, nb2listw(nb, style = "W"))
//   Global Moran's I = spdep::moran.test(x, nb2listw(nb, style = "W"), randomisation = TRUE)
// with conditional-permutation pseudo p-values, Benjamini-Hochberg FDR and the ArcGIS labels
// (Gi_Bin, COType). Implemented in src/stats/. Islands (no neighbour) get NaN in every number.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "hotspot/weights.hpp"

namespace hotspot {

enum class LocalStat { kGi, kLisa, kBoth };

struct LocalStatsOptions {
  LocalStat stat = LocalStat::kBoth;  // DEFAULT: both
  // Conditional permutations for pseudo p-values. DEFAULT: 999. 0 = analytic (normal) p only.
  // REQUIRES: 0..kMaxPermutations.
  int permutations = 999;
  std::uint64_t seed = 12345;  // DEFAULT: 12345. The results never depend on `threads`.
  int threads = 1;             // DEFAULT: 1. REQUIRES: >= 1
  bool fdr = false;            // Benjamini-Hochberg adjusted p for the labels. DEFAULT: off
};

struct GiStarResult {
  std::vector<double> z;      // GiZScore
  std::vector<double> p;      // GiPValue: pseudo p with permutations, else two-sided normal
  std::vector<double> p_fdr;  // GiPValueFDR; empty without fdr
  std::vector<int> bin;       // Gi_Bin: ±3, ±2, ±1 for p < 0.01, 0.05, 0.10 (of p_fdr with fdr)
  // Units with neighbours whose Gi* variance is zero or not finite: z and p NaN, bin 0.
  std::int64_t undefined = 0;
};

struct LocalMoranResult {
  std::vector<double> I, E, V, Z;   // LMiIndex, LMiExpected, LMiVariance, LMiZScore
  std::vector<double> p;            // LMiPValue: pseudo p with permutations, else normal
  std::vector<double> p_fdr;        // LMiPValueFDR; empty without fdr
  std::vector<std::string> cotype;  // COType: HH, HL, LH, LL at p < 0.05 (of p_fdr), else ""
  // Units with neighbours whose variance is zero or not finite (also a unit exactly at the
  // mean): Z and p NaN, COType "".
  std::int64_t undefined = 0;
};

struct GlobalMoran {
  double I = 0, E = 0, V = 0, z = 0, p = 0;  // p: two-sided normal
  // False when the variance is zero or not finite (every unit a neighbour of all the others):
  // then z and p are NaN and the summary says "undefined".
  bool defined = true;
};

// The largest number of conditional permutations, for local statistics and the Knox test alike
// (the schema's maximum; params_schema_test holds them equal). The parameter tables and
// local_statistics / knox_test refuse more.
constexpr int kMaxPermutations = 99'999;

struct LocalStatsResult {
  GiStarResult gi;        // empty unless stat is gi or both
  LocalMoranResult lisa;  // empty unless stat is lisa or both
  // Row-standardised; computed when some unit has a neighbour (has_global).
  bool has_global = false;
  GlobalMoran global;
  double permutations_s = 0;  // wall time of the permutations (the caller's timings)
};

// Gi* (binary weights plus the unit itself, self weight 1), Local Moran (row-standardised
// weights) and Global Moran of `values` on `w` (no self entries, as build_weights gives). One set
// of permutation draws serves both statistics. REQUIRES: values.size() == w.size() >= 3, finite
// and not all equal (else InputError).
LocalStatsResult local_stats(const std::vector<double>& values, const SpatialWeights& w,
                             const LocalStatsOptions& options);
// One statistic alone (options.stat is ignored).
GiStarResult gi_star(const std::vector<double>& values, const SpatialWeights& w,
                     const LocalStatsOptions& options);
LocalMoranResult local_moran(const std::vector<double>& values, const SpatialWeights& w,
                             const LocalStatsOptions& options);
GlobalMoran global_moran(const std::vector<double>& values, const SpatialWeights& w);

// How many units got each label, in the order a summary prints them: Gi_Bin "hot 99%" ..
// "cold 99%"; COType "HH", "HL", "LH", "LL", "not significant".
std::vector<std::pair<std::string, std::int64_t>> gi_bin_counts(const GiStarResult& gi);
std::vector<std::pair<std::string, std::int64_t>> cotype_counts(const LocalMoranResult& lisa);

// Incremental spatial autocorrelation: Global Moran z of `values` on distance bands (row-
// standardised) from the smallest band that gives every unit a neighbour, stepping by `step`.
// The first peak wins; without one (peaked false), the band of the largest z.
struct IsaResult {
  std::vector<std::pair<double, double>> bands;  // (band, Global Moran z), in order
  double band = 0;                               // the chosen one
  bool peaked = true;
};
// REQUIRES: step > 0.
IsaResult incremental_spatial_autocorrelation(const std::vector<double>& values,
                                              const std::vector<XY>& xy, double step);

}  // namespace hotspot
