#pragma once
// Local statistics on sparse weights, with definitions equal to R spdep's:
//   Getis-Ord Gi*   = spdep::localG(x, nb2listw(include.self(nb), style = "B"))
//   Local Moran's I = spdep::localmoran(x, nb2listw(nb, style = "W"))  (defaults: conditional
//                     randomisation moments, mlvar = TRUE)
//   Global Moran's I = spdep::moran.test(x, listw, randomisation = TRUE)
// plus conditional-permutation pseudo p-values and Benjamini-Hochberg adjustment.
// Islands (rows with no neighbour other than the unit itself) get NaN in every field.
#include <cstdint>
#include <vector>

#include "weights/weights.hpp"

namespace hotspot {

struct GiStar {
  std::vector<double> z;  // z-score (NaN for islands)
  std::vector<double> p;  // two-sided normal p-value
};
// `w_self` must contain every unit in its own row (with_self); `x` must not be constant.
GiStar getis_ord_gi_star(const std::vector<double>& x, const SpatialWeights& w_self);

struct LocalMoran {
  std::vector<double> I, E, V, Z, p;  // Ii, E.Ii, Var.Ii, Z.Ii, two-sided normal p
  std::vector<double> z, lag_z;       // centred value and its spatial lag (for HH/HL/LH/LL)
};
LocalMoran local_moran(const std::vector<double>& x, const SpatialWeights& w);

struct GlobalMoran {
  double I = 0, E = 0, V = 0, z = 0, p = 0;  // p: two-sided normal
};
GlobalMoran global_moran(const std::vector<double>& x, const SpatialWeights& w);

// Conditional randomisation: for unit i, its neighbours' values are replaced by values drawn
// without replacement from the other n - 1 units; the unit's own value stays. Each unit's random
// stream is derived from (seed, i) alone, so results never depend on the thread count. One set
// of draws serves both statistics. Folded pseudo p = (min(#{perm >= obs}, N - #{perm >= obs}) + 1)
// / (N + 1), spdep's "Pr(folded) Sim". Either weights may be null (statistic not wanted).
struct PermutationResult {
  std::vector<double> gi_p, lisa_p;  // NaN for islands; empty when that statistic was not asked
};
PermutationResult permutation_pvalues(const std::vector<double>& x, const SpatialWeights* gi_w_self,
                                      const SpatialWeights* lisa_w, int permutations, std::uint64_t seed,
                                      int threads);

// The draws of one unit: `k` distinct indices in [0, n) \ {i} for permutation `perm`, written to
// out (k entries). Sequential within a unit: call with perm = 0, 1, ... on the same sampler.
class UnitSampler {
 public:
  UnitSampler(std::uint64_t seed, std::size_t unit, std::size_t n);
  void draw(std::size_t k, std::int32_t* out);

 private:
  std::uint64_t next();
  std::uint32_t bounded(std::uint32_t range);
  std::uint64_t s_[4];
  std::size_t unit_, n_;
  std::vector<std::uint32_t> stamp_;  // for large k
  std::uint32_t gen_ = 0;
};

// Benjamini-Hochberg adjusted p-values (R's p.adjust(p, "BH")); NaN entries stay NaN and are not
// counted.
std::vector<double> bh_adjust(const std::vector<double>& p);

// ArcGIS Gi_Bin: ±3, ±2, ±1 for p < 0.01, 0.05, 0.10 with the sign of z; 0 otherwise or NaN.
int gi_bin(double z, double p);

double normal_two_sided_p(double z);

}  // namespace hotspot
