#include <algorithm>
#include <cmath>

#include "hotspot/spacetime.hpp"

namespace hotspot {

MannKendall mann_kendall(const std::vector<double>& x) {
  MannKendall r;
  const std::size_t n = x.size();
  r.n = n;
  if (n < 2) return r;
  // S by its definition: O(n^2), fine for the short series this serves (time steps of a cell).
  double s = 0;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i + 1; j < n; ++j) s += (x[j] > x[i]) - (x[j] < x[i]);
  // Tie groups among the values.
  std::vector<double> sorted(x);
  std::sort(sorted.begin(), sorted.end());
  double ties = 0, tie_pairs = 0;
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j < n && sorted[j] == sorted[i]) ++j;
    const auto t = static_cast<double>(j - i);
    ties += t * (t - 1) * (2 * t + 5);
    tie_pairs += t * (t - 1) / 2;
    i = j;
  }
  const auto nd = static_cast<double>(n);
  r.s = s;
  r.var_s = (nd * (nd - 1) * (2 * nd + 5) - ties) / 18.0;
  r.z = r.var_s > 0 ? s / std::sqrt(r.var_s) : 0;
  r.p_value = std::erfc(std::abs(r.z) / std::sqrt(2.0));
  const double pairs = nd * (nd - 1) / 2;
  const double denom = std::sqrt(pairs * (pairs - tie_pairs));
  r.tau = denom > 0 ? s / denom : 0;
  return r;
}

}  // namespace hotspot
