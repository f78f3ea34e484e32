#include "stats/local_stats.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <string>

#include "hotspot/error.hpp"
#include "util/parallel.hpp"

namespace hotspot {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double mean_of(const std::vector<double>& x) {
  double s = 0;
  for (double v : x) s += v;
  return s / static_cast<double>(x.size());
}

void check_values(const std::vector<double>& x, std::size_t n_rows, const char* what) {
  if (x.size() != n_rows)
    throw InternalError(std::string(what) + ": " + std::to_string(x.size()) + " values for " +
                        std::to_string(n_rows) + " weight rows");
  if (x.size() < 3)
    throw InputError(std::string(what) + ": needs at least 3 units (have " +
                     std::to_string(x.size()) + ")");
  for (double v : x)
    if (!std::isfinite(v))
      throw InputError(std::string(what) + ": a value is missing or not finite");
  double m = mean_of(x), ss = 0;
  for (double v : x) ss += (v - m) * (v - m);
  if (!std::isfinite(m) || !std::isfinite(ss))
    throw InputError(std::string(what) + ": the values are too large for the sums of squares (" +
                     "the statistic overflows); rescale them");
  if (!(ss > 0))
    throw InputError(std::string(what) + ": the values have zero variance (all " +
                     std::to_string(x.size()) + " units equal " + [&] {
                       char buf[32];
                       std::snprintf(buf, sizeof buf, "%.6g", x.front());
                       return std::string(buf);
                     }() +
                     "); the statistic is undefined");
}

// Row i's entries excluding the unit itself.
std::size_t others(const SpatialWeights& w, std::size_t i) {
  std::size_t c = 0;
  for (auto e = w.offset[i]; e < w.offset[i + 1]; ++e)
    c += w.index[static_cast<std::size_t>(e)] != static_cast<std::int32_t>(i);
  return c;
}

}  // namespace

double normal_two_sided_p(double z) {
  return std::isnan(z) ? kNaN : std::erfc(std::fabs(z) / std::sqrt(2.0));
}

GiStar getis_ord_gi_star(const std::vector<double>& x, const SpatialWeights& w) {
  check_values(x, w.size(), "Gi*");
  const std::size_t n = x.size();
  const double nd = static_cast<double>(n), xbar = mean_of(x);
  double ss = 0;
  for (double v : x) ss += (v - xbar) * (v - xbar);
  const double s2 = ss / nd;
  GiStar out;
  out.z.assign(n, kNaN);
  out.p.assign(n, kNaN);
  for (std::size_t i = 0; i < n; ++i) {
    if (others(w, i) == 0) continue;
    double lag = 0, W = 0, S1 = 0;
    for (auto e = w.offset[i]; e < w.offset[i + 1]; ++e) {
      double wij = w.weight[static_cast<std::size_t>(e)];
      lag += wij * x[static_cast<std::size_t>(w.index[static_cast<std::size_t>(e)])];
      W += wij, S1 += wij * wij;
    }
    // A unit whose neighbourhood (with itself) is every unit has nd * S1 = W² (binary weights):
    // no variance, the statistic is undefined. Rounding leaves a residue, hence the tolerance.
    const double spread = nd * S1 - W * W;
    if (!(spread > 1e-9 * nd * S1)) continue;
    const double var = s2 * (spread / (nd - 1)), z = (lag - W * xbar) / std::sqrt(var);
    if (!std::isfinite(var) || !(var > 0) || !std::isfinite(z)) continue;
    out.z[i] = z;
    out.p[i] = normal_two_sided_p(z);
  }
  return out;
}

LocalMoran local_moran(const std::vector<double>& x, const SpatialWeights& w) {
  check_values(x, w.size(), "Local Moran");
  const std::size_t n = x.size();
  const double nd = static_cast<double>(n), xbar = mean_of(x);
  LocalMoran out;
  out.z.resize(n);
  double m2 = 0;
  for (std::size_t i = 0; i < n; ++i) {
    out.z[i] = x[i] - xbar;
    m2 += out.z[i] * out.z[i];
  }
  m2 /= nd;
  for (auto* v : {&out.I, &out.E, &out.V, &out.Z, &out.p, &out.lag_z}) v->assign(n, kNaN);
  for (std::size_t i = 0; i < n; ++i) {
    if (others(w, i) == 0) continue;
    double lz = 0, W = 0, W2 = 0;
    for (auto e = w.offset[i]; e < w.offset[i + 1]; ++e) {
      double wij = w.weight[static_cast<std::size_t>(e)];
      lz += wij * out.z[static_cast<std::size_t>(w.index[static_cast<std::size_t>(e)])];
      W += wij, W2 += wij * wij;
    }
    const double zi = out.z[i];
    out.lag_z[i] = lz;
    out.I[i] = (zi / m2) * lz;
    // Conditional randomisation moments (spdep localmoran, conditional = TRUE, mlvar = TRUE).
    out.E[i] = -(zi * zi * W) / ((nd - 1) * m2);
    out.V[i] = (zi / m2) * (zi / m2) * (nd / (nd - 2)) * (W2 - W * W / (nd - 1)) *
               (m2 - zi * zi / (nd - 1));
    // A unit exactly at the mean has I = E = V = 0, and a unit whose neighbours are all the
    // other units has W2 = W²/(n - 1) and V = 0: its z is undefined, and reported as NaN.
    const double spread = W2 - W * W / (nd - 1);
    const double Z = (out.I[i] - out.E[i]) / std::sqrt(out.V[i]);
    if (!(spread > 1e-9 * W2) || !(out.V[i] > 0) || !std::isfinite(out.V[i]) || !std::isfinite(Z))
      continue;
    out.Z[i] = Z;
    out.p[i] = normal_two_sided_p(Z);
  }
  return out;
}

GlobalMoran global_moran(const std::vector<double>& x, const SpatialWeights& w) {
  check_values(x, w.size(), "Global Moran");
  const std::size_t n = x.size();
  const double nd = static_cast<double>(n), xbar = mean_of(x);
  std::vector<double> z(n), rs(n, 0.0), cs(n, 0.0);
  double m2 = 0, m4 = 0, cross = 0, S0 = 0, S1 = 0;
  for (std::size_t i = 0; i < n; ++i) {
    z[i] = x[i] - xbar;
    m2 += z[i] * z[i];
    m4 += z[i] * z[i] * z[i] * z[i];
  }
  // S1 = 1/2 Σ (w_ij + w_ji)^2 needs w_ji: rows are sorted, so look it up by binary search.
  auto weight_of = [&](std::size_t i, std::int32_t j) {
    auto b = w.index.begin() + w.offset[i], e = w.index.begin() + w.offset[i + 1];
    auto it = std::lower_bound(b, e, j);
    return it != e && *it == j ? w.weight[static_cast<std::size_t>(it - w.index.begin())] : 0.0;
  };
  for (std::size_t i = 0; i < n; ++i)
    for (auto e = w.offset[i]; e < w.offset[i + 1]; ++e) {
      auto j = static_cast<std::size_t>(w.index[static_cast<std::size_t>(e)]);
      double wij = w.weight[static_cast<std::size_t>(e)];
      S0 += wij;
      cross += wij * z[i] * z[j];
      rs[i] += wij, cs[j] += wij;
      double wji = weight_of(j, static_cast<std::int32_t>(i));
      S1 += (wij + wji) *
            (wij + wji);  // pairs seen from both sides; halved below, plus one-sided pairs
      if (wji == 0) S1 += (wij + wji) * (wij + wji);
    }
  S1 /= 2;
  double S2 = 0;
  for (std::size_t i = 0; i < n; ++i) S2 += (rs[i] + cs[i]) * (rs[i] + cs[i]);
  GlobalMoran g;
  g.I = (nd / S0) * cross / m2;
  g.E = -1.0 / (nd - 1);
  double K = (m4 / nd) / ((m2 / nd) * (m2 / nd));
  const double t1 = nd * ((nd * nd - 3 * nd + 3) * S1 - nd * S2 + 3 * S0 * S0),
               t2 = K * ((nd * nd - nd) * S1 - 2 * nd * S2 + 6 * S0 * S0),
               den = (nd - 1) * (nd - 2) * (nd - 3) * S0 * S0;
  g.V = (t1 - t2) / den - g.E * g.E;
  // The variance is a difference of large terms: below their rounding it is zero.
  const double noise = 1e-9 * ((std::fabs(t1) + std::fabs(t2)) / den + g.E * g.E);
  // Every unit a neighbour of all others (or weights that leave no variance): undefined.
  g.defined = std::isfinite(g.I) && std::isfinite(g.V) && g.V > noise;
  if (!g.defined) {
    g.z = g.p = kNaN;
    if (!std::isfinite(g.I)) g.I = kNaN;
    if (!std::isfinite(g.V)) g.V = kNaN;
    return g;
  }
  g.z = (g.I - g.E) / std::sqrt(g.V);
  g.p = normal_two_sided_p(g.z);
  return g;
}

PermutationResult permutation_pvalues(const std::vector<double>& x, const SpatialWeights* gw,
                                      const SpatialWeights* lw, int permutations,
                                      std::uint64_t seed, int threads) {
  return permutation_pvalues(x, gw, lw, permutations, seed, threads, 0, x.size());
}

PermutationResult permutation_pvalues(const std::vector<double>& x, const SpatialWeights* gw,
                                      const SpatialWeights* lw, int permutations,
                                      std::uint64_t seed, int threads, std::size_t first,
                                      std::size_t last) {
  PermutationResult out;
  if (permutations <= 0) return out;
  const std::size_t n = x.size();
  check_values(x, (gw ? gw : lw)->size(), "permutations");
  if (first > last || last > n)
    throw InternalError("permutations: unit range [" + std::to_string(first) + ", " +
                        std::to_string(last) + ") outside the " + std::to_string(n) + " units");
  const double xbar = mean_of(x);
  std::vector<double> z(n);
  double s2 = 0;
  for (std::size_t i = 0; i < n; ++i) z[i] = x[i] - xbar, s2 += z[i] * z[i];
  s2 /= static_cast<double>(n);
  if (gw) out.gi_p.assign(last - first, kNaN);
  if (lw) out.lisa_p.assign(last - first, kNaN);
  const auto N = static_cast<std::size_t>(permutations);
  // A unit costs N draws: at 999 permutations some 60 units are worth a thread of their own.
  const std::size_t min_units_per_thread = std::max<std::size_t>(1, 65536 / (N + 1));
  auto permute_range = [&](std::size_t from, std::size_t to, int) {
    const std::size_t begin = first + from, end = first + to;
    std::vector<std::int32_t> draws;
    std::vector<double> sums;
    std::vector<double> gwt, lwt;  // weights of the non-self entries, in row order
    for (std::size_t i = begin; i < end; ++i) {
      const auto self = static_cast<std::int32_t>(i);
      double g_self = 0, g_obs = 0, l_obs = 0;
      gwt.clear(), lwt.clear();
      if (gw)
        for (auto e = gw->offset[i]; e < gw->offset[i + 1]; ++e) {
          auto j = gw->index[static_cast<std::size_t>(e)];
          double wij = gw->weight[static_cast<std::size_t>(e)];
          if (j == self)
            g_self = wij * x[i];
          else
            gwt.push_back(wij), g_obs += wij * x[static_cast<std::size_t>(j)];
        }
      if (lw)
        for (auto e = lw->offset[i]; e < lw->offset[i + 1]; ++e) {
          auto j = lw->index[static_cast<std::size_t>(e)];
          if (j == self) continue;
          lwt.push_back(lw->weight[static_cast<std::size_t>(e)]);
          l_obs += lwt.back() * z[static_cast<std::size_t>(j)];
        }
      const std::size_t k = gw ? gwt.size() : lwt.size();
      if (k == 0) continue;
      if (gw && lw && gwt.size() != lwt.size())
        throw InternalError("permutations: Gi* and Local Moran weights differ in row " +
                            std::to_string(i));
      // The unit's own term (g_self) is fixed under conditional randomisation: compare the rest.
      (void)g_self;
      const double zi = z[i];
      // A unit exactly at the mean has I = 0 under every permutation: no evidence either way
      // (the folded count would otherwise call it extreme), so its pseudo p is null, like its z.
      const bool lisa_defined = zi != 0;
      // Ties count as "as extreme". A permuted sum of the same values in another order may differ
      // from the observed one in the last bits, so equality is judged within 1e-9 of the sum's
      // standard deviation under randomisation.
      double gs2 = 0, ls2 = 0;
      for (double v : gwt) gs2 += v * v;
      for (double v : lwt) ls2 += v * v;
      const double g_tol = 1e-9 * std::sqrt(s2 * gs2),
                   l_tol = 1e-9 * std::fabs(zi) * std::sqrt(s2 * ls2);
      UnitSampler rng(seed, i, n);
      draws.resize(k);
      std::size_t g_ge = 0, l_ge = 0;
      // Binary and row-standardised rows (the usual case) carry one weight per row: then both
      // statistics are monotone in the plain sum S of the drawn values, and one gather serves both.
      const bool g_uniform =
          !gw || std::all_of(gwt.begin(), gwt.end(), [&](double v) { return v == gwt[0]; });
      const bool l_uniform =
          !lw || std::all_of(lwt.begin(), lwt.end(), [&](double v) { return v == lwt[0]; });
      if (g_uniform && l_uniform && k <= 16) {
        double s_obs = 0;
        for (auto e = (gw ? gw : lw)->offset[i]; e < (gw ? gw : lw)->offset[i + 1]; ++e) {
          auto j = (gw ? gw : lw)->index[static_cast<std::size_t>(e)];
          if (j != self) s_obs += x[static_cast<std::size_t>(j)];
        }
        const double tol = 1e-9 * std::sqrt(s2 * static_cast<double>(k));
        const double hi = s_obs - tol, lo = s_obs + tol;
        std::size_t ge = 0, le = 0;
        sums.resize(N);
        rng.sums(N, k, x.data(), sums.data());
        for (double sum : sums) {
          ge += sum >= hi;
          le += sum <= lo;
        }
        g_ge = ge;
        l_ge = zi > 0 ? ge : le;
      } else {
        for (std::size_t p = 0; p < N; ++p) {
          rng.draw(k, draws.data());
          if (gw) {
            double s = 0;
            for (std::size_t q = 0; q < k; ++q) s += gwt[q] * x[static_cast<std::size_t>(draws[q])];
            g_ge += s >= g_obs - g_tol;
          }
          if (lw) {
            double s = 0;
            for (std::size_t q = 0; q < k; ++q) s += lwt[q] * z[static_cast<std::size_t>(draws[q])];
            // I_perm >= I_obs  <=>  zi * s >= zi * l_obs (the factor 1/m2 is positive).
            l_ge += zi * s >= zi * l_obs - l_tol;
          }
        }
      }
      auto folded = [&](std::size_t ge) {
        std::size_t rnk = std::min(ge, N - ge);
        return static_cast<double>(rnk + 1) / static_cast<double>(N + 1);
      };
      if (gw) out.gi_p[i - first] = folded(g_ge);
      if (lw && lisa_defined) out.lisa_p[i - first] = folded(l_ge);
    }
  };
  parallel_ranges(last - first, threads, permute_range, min_units_per_thread);
  return out;
}

std::vector<double> bh_adjust(const std::vector<double>& p) {
  std::vector<std::size_t> idx;
  for (std::size_t i = 0; i < p.size(); ++i)
    if (!std::isnan(p[i])) idx.push_back(i);
  std::vector<double> out(p.size(), kNaN);
  const double m = static_cast<double>(idx.size());
  std::stable_sort(idx.begin(), idx.end(),
                   [&](std::size_t a, std::size_t b) { return p[a] > p[b]; });
  double run = 1;
  for (std::size_t r = 0; r < idx.size(); ++r) {
    double rank = m - static_cast<double>(r);  // 1-based rank in increasing order
    run = std::min(run, p[idx[r]] * m / rank);
    out[idx[r]] = std::min(run, 1.0);
  }
  return out;
}

int gi_bin(double z, double p) {
  if (std::isnan(z) || std::isnan(p)) return 0;
  int level = p < 0.01 ? 3 : p < 0.05 ? 2 : p < 0.10 ? 1 : 0;
  return z > 0 ? level : z < 0 ? -level : 0;
}

}  // namespace hotspot
