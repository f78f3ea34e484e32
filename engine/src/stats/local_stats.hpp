#pragma once
// Local statistics on sparse weights, with definitions equal to R spdep's:
//   Getis-Ord Gi*   = spdep::localG(x, nb2listw(include.self(nb), style = "B"))
//   Local Moran's I = spdep::localmoran(x, nb2listw(nb, style = "W"))  (defaults: conditional
//                     randomisation moments, mlvar = TRUE)
//   Global Moran's I = spdep::moran.test(x, listw, randomisation = TRUE)
// plus conditional-permutation pseudo p-values and Benjamini-Hochberg adjustment.
// Islands (rows with no neighbour other than the unit itself) get NaN in every field.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "hotspot/local_stats.hpp"
#include "util/rng.hpp"
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


// Conditional randomisation: for unit i, its neighbours' values are replaced by values drawn
// without replacement from the other n - 1 units; the unit's own value stays. Each unit's random
// stream is derived from (seed, i) alone, so results never depend on the thread count. One set
// of draws serves both statistics. Folded pseudo p = (min(#{perm >= obs}, N - #{perm >= obs}) + 1)
// / (N + 1), spdep's "Pr(folded) Sim". Either weights may be null (statistic not wanted).
struct PermutationResult {
  std::vector<double> gi_p, lisa_p;  // NaN for islands; empty when that statistic was not asked
};
PermutationResult permutation_pvalues(const std::vector<double>& x, const SpatialWeights* gi_w_self,
                                      const SpatialWeights* lisa_w, int permutations,
                                      std::uint64_t seed, int threads);
// Units [first, last) only (gi_p and lisa_p hold last - first values): each unit's stream is
// (seed, unit), so ranges computed apart (hotspot.dask) join into exactly the whole result.
PermutationResult permutation_pvalues(const std::vector<double>& x, const SpatialWeights* gi_w_self,
                                      const SpatialWeights* lisa_w, int permutations,
                                      std::uint64_t seed, int threads, std::size_t first,
                                      std::size_t last);

// The draws of one unit: `k` distinct indices in [0, n) \ {i} for permutation `perm`, written to
// out (k entries). Sequential within a unit: call with perm = 0, 1, ... on the same sampler.
class UnitSampler {
 public:
  UnitSampler(std::uint64_t seed, std::size_t unit, std::size_t n);
  void draw(std::size_t k, std::int32_t* out);
  // N successive draws of k <= 16 indices (exactly the draws draw() would make), each reduced to
  // the sum of x over the drawn indices, in draw order. The generator state lives in registers.
  void sums(std::size_t N, std::size_t k, const double* x, double* out);

 private:
  std::uint64_t next();
  std::uint32_t next32();  // both halves of each 64-bit output, high half first
  std::uint32_t bounded(std::uint32_t range);
  std::uint64_t s_[4];
  std::uint64_t spare_ = 0;
  bool have_spare_ = false;
  std::size_t unit_, n_;
  std::vector<std::uint32_t> stamp_;  // for large k
  std::uint32_t gen_ = 0;
};



// Inline: the permutation loop spends most of its time here.
inline UnitSampler::UnitSampler(std::uint64_t seed, std::size_t unit, std::size_t n)
    : unit_(unit), n_(n) {
  std::uint64_t sm = seed ^ (0xD1B54A32D192ED03ULL * (static_cast<std::uint64_t>(unit) + 1));
  splitmix64(sm);
  for (auto& s : s_) s = splitmix64(sm);
}

inline std::uint64_t UnitSampler::next() {  // xoshiro256++
  std::uint64_t r = rotl(s_[0] + s_[3], 23) + s_[0];
  std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0], s_[3] ^= s_[1], s_[1] ^= s_[2], s_[0] ^= s_[3], s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return r;
}

inline std::uint32_t UnitSampler::next32() {
  if (have_spare_) {
    have_spare_ = false;
    return static_cast<std::uint32_t>(spare_);
  }
  std::uint64_t r = next();
  spare_ = r, have_spare_ = true;
  return static_cast<std::uint32_t>(r >> 32);
}

inline std::uint32_t UnitSampler::bounded(std::uint32_t range) {  // Lemire, unbiased
  std::uint64_t m = std::uint64_t{next32()} * range;
  auto l = static_cast<std::uint32_t>(m);
  if (l < range) {
    std::uint32_t t = static_cast<std::uint32_t>(-range) % range;
    while (l < t) {
      m = std::uint64_t{next32()} * range;
      l = static_cast<std::uint32_t>(m);
    }
  }
  return static_cast<std::uint32_t>(m >> 32);
}

inline void UnitSampler::draw(std::size_t k, std::int32_t* out) {
  const auto range = static_cast<std::uint32_t>(n_ - 1);
  if (k <= 16) {
    for (std::size_t q = 0; q < k;) {
      std::uint32_t r = bounded(range);
      if (r >= unit_) ++r;
      auto v = static_cast<std::int32_t>(r);
      bool dup = false;
      for (std::size_t t = 0; t < q; ++t) dup |= out[t] == v;
      if (!dup) out[q++] = v;
    }
    return;
  }
  // Same accept/reject decisions as above, with an O(1) membership test.
  if (stamp_.size() != n_) stamp_.assign(n_, 0);
  if (++gen_ == 0) {
    std::fill(stamp_.begin(), stamp_.end(), 0);
    gen_ = 1;
  }
  for (std::size_t q = 0; q < k;) {
    std::uint32_t r = bounded(range);
    if (r >= unit_) ++r;
    if (stamp_[r] == gen_) continue;
    stamp_[r] = gen_;
    out[q++] = static_cast<std::int32_t>(r);
  }
}

inline void UnitSampler::sums(std::size_t N, std::size_t k, const double* x, double* out) {
  std::uint64_t a = s_[0], b = s_[1], c = s_[2], d = s_[3], spare = spare_;
  bool have = have_spare_;
  const auto range = static_cast<std::uint32_t>(n_ - 1);
  const auto unit = static_cast<std::uint32_t>(unit_);
  const std::uint32_t threshold = static_cast<std::uint32_t>(-range) % range;
  auto next32 = [&]() -> std::uint32_t {
    if (have) {
      have = false;
      return static_cast<std::uint32_t>(spare);
    }
    std::uint64_t r = rotl(a + d, 23) + a;  // xoshiro256++, as next()
    std::uint64_t t = b << 17;
    c ^= a, d ^= b, b ^= c, a ^= d, c ^= t;
    d = rotl(d, 45);
    spare = r, have = true;
    return static_cast<std::uint32_t>(r >> 32);
  };
  std::int32_t drawn[16];
  for (std::size_t p = 0; p < N; ++p) {
    double sum = 0;
    for (std::size_t q = 0; q < k;) {
      std::uint64_t m = std::uint64_t{next32()} * range;  // Lemire, as bounded()
      if (static_cast<std::uint32_t>(m) < range)
        while (static_cast<std::uint32_t>(m) < threshold) m = std::uint64_t{next32()} * range;
      auto r = static_cast<std::uint32_t>(m >> 32);
      if (r >= unit) ++r;
      const auto v = static_cast<std::int32_t>(r);
      bool dup = false;
      for (std::size_t t = 0; t < q; ++t) dup |= drawn[t] == v;
      if (dup) continue;
      drawn[q++] = v;
      sum += x[r];
    }
    out[p] = sum;
  }
  s_[0] = a, s_[1] = b, s_[2] = c, s_[3] = d, spare_ = spare, have_spare_ = have;
}

// Benjamini-Hochberg adjusted p-values (R's p.adjust(p, "BH")); NaN entries stay NaN and are not
// counted.
std::vector<double> bh_adjust(const std::vector<double>& p);

// ArcGIS Gi_Bin: ±3, ±2, ±1 for p < 0.01, 0.05, 0.10 with the sign of z; 0 otherwise or NaN.
int gi_bin(double z, double p);

double normal_two_sided_p(double z);

}  // namespace hotspot
