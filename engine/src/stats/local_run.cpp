// The local statistics as one call: Gi* and Local Moran on the same weights, permutations, FDR,
// the ArcGIS labels; and the band chooser of grid: auto.
#include <cmath>
#include <map>

#include "hotspot/distribute.hpp"
#include "hotspot/error.hpp"
#include "stats/local_stats.hpp"
#include "util/timer.hpp"

namespace hotspot {

LocalStatsResult local_stats(const std::vector<double>& x, const SpatialWeights& w,
                             const LocalStatsOptions& o) {
  return local_stats(x, w, o, {});
}

LocalStatsResult local_stats(const std::vector<double>& x, const SpatialWeights& w,
                             const LocalStatsOptions& o, const LocalPermutationsFn& permute) {
  if (o.permutations < 0 || o.permutations > kMaxPermutations)
    throw ParameterError("permutations", "must be in 0.." + std::to_string(kMaxPermutations) +
                                             " (got " + std::to_string(o.permutations) + ")");
  const bool want_gi = o.stat != LocalStat::kLisa, want_lisa = o.stat != LocalStat::kGi;
  const SpatialWeights w_gi = with_self(w, 1.0);
  const SpatialWeights w_row = row_standardised(w);
  LocalStatsResult r;
  GiStar gi;
  LocalMoran lm;
  if (want_gi) gi = getis_ord_gi_star(x, w_gi);
  if (want_lisa) lm = local_moran(x, w_row);
  if (w.islands().size() < w.size()) {
    r.has_global = true;
    r.global = global_moran(x, w_row);
  }
  std::vector<double> gi_p = gi.p, lm_p = lm.p;
  if (o.permutations > 0) {
    Timer timer;
    const SpatialWeights* gw = want_gi ? &w_gi : nullptr;
    const SpatialWeights* lw = want_lisa ? &w_row : nullptr;
    PermutationResult pr;
    if (permute) {
      LocalPValues got = permute(x, gw, lw, o.permutations, o.seed);
      pr.gi_p = std::move(got.gi_p), pr.lisa_p = std::move(got.lisa_p);
    } else {
      pr = permutation_pvalues(x, gw, lw, o.permutations, o.seed, o.threads);
    }
    if ((want_gi && pr.gi_p.size() != x.size()) || (want_lisa && pr.lisa_p.size() != x.size()))
      throw InternalError("permutations: the p-values computed elsewhere are not one per unit");
    if (want_gi) gi_p = pr.gi_p;
    if (want_lisa) lm_p = pr.lisa_p;
    r.permutations_s = timer.lap();
  }
  // A statistic without variance is undefined: no pseudo p either (every permutation ties).
  const std::size_t units = x.size();
  for (std::size_t i = 0; i < units; ++i) {
    if (w.cardinality(i) == 0) continue;  // islands: null, counted as islands
    if (want_gi && std::isnan(gi.z[i])) gi_p[i] = NAN, ++r.gi.undefined;
    if (want_lisa && std::isnan(lm.Z[i])) lm_p[i] = NAN, ++r.lisa.undefined;
  }
  // The labels read the adjusted p under fdr.
  std::vector<double> gi_q = o.fdr ? bh_adjust(gi_p) : std::vector<double>{},
                      lm_q = o.fdr ? bh_adjust(lm_p) : std::vector<double>{};
  const std::vector<double>& gi_label_p = o.fdr ? gi_q : gi_p;
  const std::vector<double>& lm_label_p = o.fdr ? lm_q : lm_p;
  const std::size_t n = x.size();
  if (want_gi) {
    r.gi.bin.resize(n);
    for (std::size_t i = 0; i < n; ++i) r.gi.bin[i] = gi_bin(gi.z[i], gi_label_p[i]);
    r.gi.z = std::move(gi.z), r.gi.p = std::move(gi_p), r.gi.p_fdr = std::move(gi_q);
  }
  if (want_lisa) {
    r.lisa.cotype.resize(n);
    for (std::size_t i = 0; i < n; ++i)
      if (!std::isnan(lm_label_p[i]) && lm_label_p[i] < 0.05)
        r.lisa.cotype[i] = std::string(lm.z[i] > 0 ? "H" : "L") + (lm.lag_z[i] > 0 ? "H" : "L");
    r.lisa.I = std::move(lm.I), r.lisa.E = std::move(lm.E), r.lisa.V = std::move(lm.V),
    r.lisa.Z = std::move(lm.Z);
    r.lisa.p = std::move(lm_p), r.lisa.p_fdr = std::move(lm_q);
  }
  return r;
}

LocalPValues local_permutation_pvalues(const std::vector<double>& x, const SpatialWeights* gw,
                                       const SpatialWeights* lw, int permutations,
                                       std::uint64_t seed, int threads, std::size_t first,
                                       std::size_t last) {
  if (!gw && !lw) throw InternalError("permutations: neither statistic asked for");
  PermutationResult r = permutation_pvalues(x, gw, lw, permutations, seed, threads, first, last);
  return {std::move(r.gi_p), std::move(r.lisa_p)};
}

GiStarResult gi_star(const std::vector<double>& x, const SpatialWeights& w,
                     const LocalStatsOptions& options) {
  LocalStatsOptions o = options;
  o.stat = LocalStat::kGi;
  return local_stats(x, w, o).gi;
}

LocalMoranResult local_moran(const std::vector<double>& x, const SpatialWeights& w,
                             const LocalStatsOptions& options) {
  LocalStatsOptions o = options;
  o.stat = LocalStat::kLisa;
  return local_stats(x, w, o).lisa;
}

std::vector<std::pair<std::string, std::int64_t>> gi_bin_counts(const GiStarResult& gi) {
  std::map<int, std::int64_t> count;
  for (int b : gi.bin) ++count[b];
  const char* labels[] = {"cold 99%", "cold 95%", "cold 90%", "not significant",
                          "hot 90%",  "hot 95%",  "hot 99%"};
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (int b = 3; b >= -3; --b) out.push_back({labels[b + 3], count[b]});
  return out;
}

std::vector<std::pair<std::string, std::int64_t>> cotype_counts(const LocalMoranResult& lisa) {
  std::map<std::string, std::int64_t> count;
  for (const auto& c : lisa.cotype) ++count[c];
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (const char* c : {"HH", "HL", "LH", "LL", ""})
    out.push_back({*c ? c : "not significant", count[c]});
  return out;
}

IsaResult incremental_spatial_autocorrelation(const std::vector<double>& values,
                                              const std::vector<XY>& xy, double step) {
  if (!(step > 0)) throw ParameterError("grid", "the band step must be > 0");
  IsaResult r;
  const double d0 = max_nearest_distance(xy) * (1 + 1e-9);
  double best_d = d0, best_z = -INFINITY;
  for (std::size_t k = 0; k < 10; ++k) {
    const double d = d0 + static_cast<double>(k) * step;
    const GlobalMoran g = global_moran(values, row_standardised(band_weights(xy, d)));
    r.bands.push_back({d, g.z});
    if (g.z > best_z) best_z = g.z, best_d = d;
    // A peak at k - 1: higher than the band before it (or the first band) and not lower than the
    // next.
    const auto z = [&](std::size_t j) { return r.bands[j].second; };
    if (k >= 1 && (k == 1 || z(k - 1) > z(k - 2)) && z(k - 1) >= z(k)) {
      r.band = r.bands[k - 1].first;
      return r;
    }
  }
  r.band = best_d, r.peaked = false;
  return r;
}

}  // namespace hotspot
