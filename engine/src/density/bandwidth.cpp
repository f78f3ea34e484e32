// Bandwidth selectors: ArcGIS's spatial Silverman rule, Scott's rule (spatstat bw.scott) and
// likelihood cross-validation (spatstat bw.ppl). Definitions in hotspot/density.hpp.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "hotspot/density.hpp"
#include "hotspot/error.hpp"
#include "util/parallel.hpp"

namespace hotspot {

namespace {

void need_points(std::span<const double> x, std::size_t at_least, const char* what) {
  if (x.size() < at_least)
    throw InputError(std::string("kde: bandwidth ") + what + " needs at least " +
                     std::to_string(at_least) + " incidents, got " + std::to_string(x.size()));
}

// Points sorted by x, for sweeps over pairs closer than a distance.
struct SortedPoints {
  std::vector<double> x, y;
  SortedPoints(std::span<const double> xs, std::span<const double> ys) {
    std::vector<std::size_t> order(xs.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return xs[a] < xs[b]; });
    for (std::size_t i : order) x.push_back(xs[i]), y.push_back(ys[i]);
  }
};

double min_positive_nn_distance(const SortedPoints& p) {
  double best = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < p.x.size(); ++i)
    for (std::size_t j = i + 1; j < p.x.size() && p.x[j] - p.x[i] < best; ++j) {
      double d = std::hypot(p.x[j] - p.x[i], p.y[j] - p.y[i]);
      if (d > 0 && d < best) best = d;
    }
  return best;
}

constexpr std::size_t kCvMaxPoints = 20000;

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

double lcv(const SortedPoints& p, const Box& W, double sigma, int threads) {
  const std::size_t n = p.x.size();
  // exp(−d²/2σ²) is exactly 0 in double beyond d²/2σ² ≈ 745.1, so pairs farther than that are
  // skipped without changing a bit: the sums equal spatstat's uncut leave-one-out sums.
  const double cutoff2 = 746.0 * 2 * sigma * sigma, cutoff = std::sqrt(cutoff2);
  const double inv2s2 = 1.0 / (2 * sigma * sigma),
               norm = 1.0 / (2 * std::numbers::pi * sigma * sigma);
  std::vector<double> log_lambda(n), mass(n);
  parallel_ranges(n, resolve_threads(threads), [&](std::size_t b, std::size_t e, int) {
    for (std::size_t i = b; i < e; ++i) {
      double s = 0;
      // Neighbours on both sides in x order; each i sums its own terms in a fixed order.
      std::size_t lo = static_cast<std::size_t>(
          std::lower_bound(p.x.begin(), p.x.end(), p.x[i] - cutoff) - p.x.begin());
      for (std::size_t j = lo; j < n && p.x[j] <= p.x[i] + cutoff; ++j) {
        if (j == i) continue;
        double dx = p.x[j] - p.x[i], dy = p.y[j] - p.y[i], d2 = dx * dx + dy * dy;
        if (d2 <= cutoff2) s += std::exp(-d2 * inv2s2);
      }
      log_lambda[i] = std::log(s * norm);
      mass[i] = (normal_cdf((W.xmax - p.x[i]) / sigma) - normal_cdf((W.xmin - p.x[i]) / sigma)) *
                (normal_cdf((W.ymax - p.y[i]) / sigma) - normal_cdf((W.ymin - p.y[i]) / sigma));
    }
  });
  double a = 0, b = 0;
  for (std::size_t i = 0; i < n; ++i) a += log_lambda[i], b += mass[i];
  return a - b;
}

}  // namespace

double bandwidth_arcgis(std::span<const double> x, std::span<const double> y,
                        std::span<const double> w) {
  need_points(x, 2, "auto");
  const std::size_t n = x.size();
  auto wt = [&](std::size_t i) { return w.empty() ? 1.0 : w[i]; };
  double sw = 0, mx = 0, my = 0;
  for (std::size_t i = 0; i < n; ++i) sw += wt(i), mx += wt(i) * x[i], my += wt(i) * y[i];
  if (!(sw > 0)) throw InputError("kde: bandwidth auto needs a positive total weight");
  mx /= sw;
  my /= sw;
  std::vector<std::pair<double, double>> d(n);  // distance to the mean centre, weight
  double ss = 0;
  for (std::size_t i = 0; i < n; ++i) {
    double dx = x[i] - mx, dy = y[i] - my;
    ss += wt(i) * (dx * dx + dy * dy);
    d[i] = {std::sqrt(dx * dx + dy * dy), wt(i)};
  }
  const double sd = std::sqrt(ss / sw);
  std::sort(d.begin(), d.end());
  // Weighted median: the first distance at which the cumulative weight reaches half; exactly half
  // averages it with the next one (the ordinary median when every weight is 1).
  double cum = 0, dm = d.back().first;
  for (std::size_t i = 0; i < n; ++i) {
    cum += d[i].second;
    if (cum * 2 == sw && i + 1 < n) {
      dm = 0.5 * (d[i].first + d[i + 1].first);
      break;
    }
    if (cum * 2 > sw) {
      dm = d[i].first;
      break;
    }
  }
  const double h = 0.9 * std::min(sd, std::sqrt(1.0 / std::log(2.0)) * dm) * std::pow(sw, -0.2);
  if (!(h > 0))
    throw InputError(
        "kde: bandwidth auto is 0 (all incidents at one place); give a bandwidth in metres");
  return h;
}

double bandwidth_scott(std::span<const double> x, std::span<const double> y) {
  need_points(x, 2, "scott");
  auto sd = [](std::span<const double> v) {
    double m = 0;
    for (double a : v) m += a;
    m /= static_cast<double>(v.size());
    double s = 0;
    for (double a : v) s += (a - m) * (a - m);
    return std::sqrt(s / static_cast<double>(v.size() - 1));
  };
  const double eps = std::numeric_limits<double>::epsilon();
  const double g =
      std::exp(0.5 * (std::log(std::max(sd(x), eps)) + std::log(std::max(sd(y), eps))));
  return g * std::pow(static_cast<double>(x.size()), -1.0 / 6.0);
}

double lcv_score(std::span<const double> x, std::span<const double> y, const Box& window,
                 double sigma, int threads) {
  return lcv(SortedPoints(x, y), window, sigma, threads);
}

CvResult bandwidth_cv(std::span<const double> x, std::span<const double> y, const Box& W,
                      int threads, int ns) {
  need_points(x, 3, "cv");
  if (x.size() > kCvMaxPoints)
    throw ParameterError("bandwidth", "cv is exact and quadratic in the number of incidents (" +
                                          std::to_string(x.size()) + " here, at most " +
                                          std::to_string(kCvMaxPoints) +
                                          "); use auto or scott, or narrow the incidents "
                                          "with categories, from, to or hours");
  if (W.empty() || !(W.xmax > W.xmin) || !(W.ymax > W.ymin))
    throw InputError("kde: bandwidth cv needs a window with an area");
  SortedPoints p(x, y);
  const double from = min_positive_nn_distance(p);
  const double to = std::hypot(W.xmax - W.xmin, W.ymax - W.ymin) / 2;
  if (!std::isfinite(from) || !(to > from))
    throw InputError("kde: bandwidth cv: the incidents are all at one place");
  CvResult r;
  for (int k = 0; k < ns; ++k) {
    // spatstat's geomseq: exp(seq(log(from), log(to), length.out = ns))
    double s =
        ns == 1 ? from : std::exp(std::log(from) + (std::log(to) - std::log(from)) * k / (ns - 1));
    r.sigmas.push_back(s);
    r.scores.push_back(lcv(p, W, s, threads));
  }
  std::size_t best = 0;
  for (std::size_t k = 1; k < r.scores.size(); ++k)
    if (r.scores[k] > r.scores[best]) best = k;  // first maximum, as which.max
  r.grid_sigma_m = r.sigmas[best];
  // Golden-section search on log σ between the grid neighbours of the best value.
  double a = std::log(r.sigmas[best == 0 ? 0 : best - 1]);
  double b = std::log(r.sigmas[std::min(best + 1, r.sigmas.size() - 1)]);
  const double phi = (std::sqrt(5.0) - 1) / 2;
  double c = b - phi * (b - a), d = a + phi * (b - a);
  double fc = lcv(p, W, std::exp(c), threads), fd = lcv(p, W, std::exp(d), threads);
  for (int it = 0; it < 40 && b - a > 1e-3; ++it) {  // σ to 0.1 %
    if (fc >= fd) {
      b = d, d = c, fd = fc;
      c = b - phi * (b - a);
      fc = lcv(p, W, std::exp(c), threads);
    } else {
      a = c, c = d, fc = fd;
      d = a + phi * (b - a);
      fd = lcv(p, W, std::exp(d), threads);
    }
  }
  const double refined = std::exp(0.5 * (a + b));
  r.sigma_m = lcv(p, W, refined, threads) >= r.scores[best] ? refined : r.grid_sigma_m;
  return r;
}

}  // namespace hotspot
