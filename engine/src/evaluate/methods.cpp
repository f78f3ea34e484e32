// hotspot evaluate, the methods: every cell scored from training incidents only, and the
// ranking and flagging every measure shares.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <numeric>

#include "hotspot/density.hpp"
#include "hotspot/error.hpp"
#include "hotspot/evaluate.hpp"
#include "hotspot/local_stats.hpp"

namespace hotspot {

namespace {

constexpr std::int64_t kWeek = 7 * 86400;

std::vector<double> naive(const EvalGrid& g, const std::vector<std::int32_t>& cell) {
  std::vector<double> s(g.i.size(), 0.0);
  for (std::int32_t c : cell)
    if (c >= 0) s[static_cast<std::size_t>(c)] += 1;
  return s;
}

// The engine's KDE (quartic) on a raster whose cells are the lattice's squares: its values are
// the density at the cell centres.
std::vector<double> kde_scores(const EvalGrid& g, const EvalMethod& m, const std::vector<double>& x,
                               const std::vector<double>& y, const EvaluateOptions& o) {
  Grid r;
  r.cell = g.cell_m;
  r.xmin = static_cast<double>(g.i0) * g.cell_m;
  r.ymax = static_cast<double>(g.j0 + g.nj) * g.cell_m;
  r.cols = g.ni, r.rows = g.nj;
  KdeOptions ko;
  ko.kernel = Kernel::kQuartic;
  ko.bandwidth_m = m.bandwidth_m > 0 ? m.bandwidth_m : bandwidth_arcgis(x, y, {});
  ko.threads = o.threads;
  if (!(ko.bandwidth_m > 0))  // all training incidents at one point: the rule gives 0
    ko.bandwidth_m = g.cell_m;
  const DensityRaster d = kde(x, y, {}, r, {}, ko);
  std::vector<double> s(g.i.size());
  for (std::size_t k = 0; k < s.size(); ++k) {
    const std::int64_t row = g.j0 + g.nj - 1 - g.j[k], col = g.i[k] - g.i0;
    s[k] = d.values[static_cast<std::size_t>(row * g.ni + col)];
  }
  return s;
}

// open_cp's ProspectiveHotSpot.predict with ClassicWeight and DistanceDiagonalsSame, on our
// lattice: the weights of the incidents of each lattice square are summed first (Σ 1/(1+t)),
// then spread to the cells within the space bandwidth.
std::vector<double> prospective(const EvalGrid& g, const std::vector<std::int32_t>& cell,
                                const std::vector<std::int64_t>& t, std::int64_t predict_utc,
                                const EvaluateOptions& o) {
  std::vector<double> v(g.slot.size(), 0.0);
  for (std::size_t k = 0; k < cell.size(); ++k) {
    if (cell[k] < 0) continue;
    const auto c = static_cast<std::size_t>(cell[k]);
    // Whole weeks before the prediction time, rounded down (t < predict_utc: training only).
    const std::int64_t dt = (predict_utc - t[k]) / kWeek;
    if (dt < 0 || dt >= o.prospective_time_weeks) continue;
    v[static_cast<std::size_t>((g.j[c] - g.j0) * g.ni + (g.i[c] - g.i0))] += 1.0 / (1.0 + static_cast<double>(dt));
  }
  std::vector<double> s(g.i.size(), 0.0);
  const std::int64_t S = o.prospective_space_cells;
  for (std::int64_t jj = 0; jj < g.nj; ++jj)
    for (std::int64_t ii = 0; ii < g.ni; ++ii) {
      const double w = v[static_cast<std::size_t>(jj * g.ni + ii)];
      if (w == 0) continue;
      for (std::int64_t dj = -(S - 1); dj <= S - 1; ++dj)
        for (std::int64_t di = -(S - 1); di <= S - 1; ++di) {
          const std::int64_t a = ii + di, b = jj + dj;
          if (a < 0 || b < 0 || a >= g.ni || b >= g.nj) continue;
          const std::int32_t target = g.slot[static_cast<std::size_t>(b * g.ni + a)];
          if (target < 0) continue;
          const double d = static_cast<double>(std::max(std::abs(di), std::abs(dj)));
          s[static_cast<std::size_t>(target)] += w / (1.0 + d);
        }
    }
  return s;
}

// Gi* z of the cell counts; queen contiguity on the lattice (the 8 surrounding squares that are
// cells), binary weights plus the cell itself, as hotspot local's Gi*.
std::vector<double> gi(const EvalGrid& g, const std::vector<std::int32_t>& cell) {
  SpatialWeights w;
  w.offset.clear();
  w.offset.push_back(0);
  for (std::size_t k = 0; k < g.i.size(); ++k) {
    for (std::int64_t dj = -1; dj <= 1; ++dj)
      for (std::int64_t di = -1; di <= 1; ++di) {
        if (!di && !dj) continue;
        const std::int64_t a = g.i[k] + di - g.i0, b = g.j[k] + dj - g.j0;
        if (a < 0 || b < 0 || a >= g.ni || b >= g.nj) continue;
        const std::int32_t n = g.slot[static_cast<std::size_t>(b * g.ni + a)];
        if (n >= 0) w.index.push_back(n), w.weight.push_back(1.0);
      }
    // Rows list neighbours by increasing id: ids follow (j, i), so rows below come first.
    const auto begin = w.index.begin() + w.offset.back();
    std::sort(begin, w.index.end());
    w.offset.push_back(static_cast<std::int64_t>(w.index.size()));
  }
  std::vector<double> counts = naive(g, cell);
  if (counts.size() < 3)
    throw InputError("evaluate: gi needs at least 3 cells; the grid has " + std::to_string(counts.size()));
  LocalStatsOptions lo;
  lo.stat = LocalStat::kGi;
  lo.permutations = 0;
  return gi_star(counts, w, lo).z;
}

}  // namespace

std::vector<double> score_cells(const EvalGrid& g, const EvalMethod& m, const std::vector<double>& x,
                                const std::vector<double>& y, const std::vector<std::int32_t>& cell,
                                const std::vector<std::int64_t>& t, std::int64_t predict_utc,
                                const EvaluateOptions& o) {
  switch (m.kind) {
    case EvalMethod::Kind::kNaive: return naive(g, cell);
    case EvalMethod::Kind::kKde: return kde_scores(g, m, x, y, o);
    case EvalMethod::Kind::kProspective: return prospective(g, cell, t, predict_utc, o);
    case EvalMethod::Kind::kGi: return gi(g, cell);
  }
  throw InternalError("evaluate: unknown method");
}

std::vector<std::int32_t> rank_cells(const std::vector<double>& score) {
  std::vector<std::int32_t> order(score.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::int32_t a, std::int32_t b) {
    const double x = score[static_cast<std::size_t>(a)], y = score[static_cast<std::size_t>(b)];
    const bool xn = std::isnan(x), yn = std::isnan(y);
    if (xn != yn) return yn;
    if (!xn && x != y) return x > y;
    return a < b;
  });
  return order;
}

std::size_t flagged_cells(const EvalGrid& g, const std::vector<std::int32_t>& order, double coverage_pct) {
  // The relative slack keeps 5 % of an area made of whole cells exactly reachable despite the
  // rounding of the running sum.
  const double target = coverage_pct / 100.0 * g.study_area_m2 * (1 - 1e-12);
  double area = 0;
  std::size_t m = 0;
  while (m < order.size() && area < target) area += g.area_m2[static_cast<std::size_t>(order[m++])];
  return m;
}

std::vector<EvalMethod> parse_eval_methods(const std::string& text) {
  std::vector<EvalMethod> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    const std::string item = text.substr(start, comma - start);
    EvalMethod m;
    m.name = item;
    if (item == "naive") {
      m.kind = EvalMethod::Kind::kNaive;
    } else if (item == "prospective") {
      m.kind = EvalMethod::Kind::kProspective;
    } else if (item == "gi") {
      m.kind = EvalMethod::Kind::kGi;
    } else if (item == "kde" || item.rfind("kde:", 0) == 0) {
      m.kind = EvalMethod::Kind::kKde;
      if (item != "kde") {
        char* end = nullptr;
        const std::string bw = item.substr(4);
        m.bandwidth_m = std::strtod(bw.c_str(), &end);
        if (bw.empty() || *end || !(m.bandwidth_m > 0) || !std::isfinite(m.bandwidth_m))
          throw ParameterError("methods", "'" + item + "': the bandwidth must be metres > 0, e.g. kde:300");
      }
    } else {
      throw ParameterError("methods", "'" + item + "': expected naive, kde, kde:METRES, prospective or gi");
    }
    for (const auto& o : out)
      if (o.name == m.name) throw ParameterError("methods", "'" + item + "' is named twice");
    out.push_back(m);
    start = comma + 1;
  }
  return out;
}

}  // namespace hotspot
