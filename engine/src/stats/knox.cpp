#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <numeric>
#include <string>

#include "hotspot/distribute.hpp"
#include "hotspot/error.hpp"
#include "util/text.hpp"
#include "hotspot/spacetime.hpp"
#include "util/parallel.hpp"
#include "util/rng.hpp"

namespace hotspot {

namespace {

void check_edges(const std::vector<double>& e, const char* parameter) {
  if (e.size() < 2) throw ParameterError(parameter, "give at least two band edges, e.g. 0,100,200");
  for (std::size_t i = 0; i < e.size(); ++i) {
    if (!std::isfinite(e[i]) || e[i] < 0) throw ParameterError(parameter, std::string(parameter) == "space_bands" ? "band edges must be >= 0 m" : "band edges must be >= 0 days");
    if (i > 0 && e[i] <= e[i - 1]) throw ParameterError(parameter, "band edges must increase");
  }
}

// Band of value v under edges e, or -1 beyond them (see the header for the rule). A linear scan:
// there are a handful of edges, and this runs once per pair and permutation.
int band_of(const std::vector<double>& e, double v) {
  if (v < e.front() || v > e.back()) return -1;
  if (v == e.front()) return 0;
  std::size_t k = 1;
  while (e[k] < v) ++k;  // first edge >= v; e.back() >= v ends it
  return static_cast<int>(k) - 1;
}

// Time bands as whole seconds. A gap of s seconds is d = s / 86400.0 days (as the brute force
// computes it), so "d <= e" is "s <= upper" with upper the largest integer that passes the same
// double comparison; the first band's floor likewise. Exact, and int32 compares vectorise.
struct TimeLimits {
  std::int64_t origin = 0;           // the earliest time
  std::int32_t lower = 0;            // s >= lower: d >= e_0
  std::vector<std::int32_t> upper;   // upper[k]: s <= upper[k] iff d <= e_{k+1}
};

TimeLimits time_limits(const std::vector<std::int64_t>& times, const std::vector<double>& e) {
  TimeLimits lim;
  std::int64_t latest = 0;
  if (!times.empty()) {
    lim.origin = *std::min_element(times.begin(), times.end());
    latest = *std::max_element(times.begin(), times.end());
  }
  std::int64_t span = 0;
  if (__builtin_sub_overflow(latest, lim.origin, &span) || span >= std::numeric_limits<std::int32_t>::max())
    throw InputError("near-repeat: the incident times span more than 24,855 days (68 years), "
                     "the most that can be compared; filter them with from and to");
  auto days = [](std::int64_t s) { return static_cast<double>(s) / 86400.0; };
  // Largest s in [-1, span] with days(s) <= v (-1: none).
  auto last_within = [&](double v) {
    if (v < 0) return std::int64_t{-1};
    std::int64_t s = static_cast<std::int64_t>(std::min(std::floor(v * 86400.0), static_cast<double>(span)));
    while (s < span && days(s + 1) <= v) ++s;
    while (s >= 0 && days(s) > v) --s;
    return s;
  };
  // Smallest s with days(s) >= e_0 is last_within(just below e_0) + 1.
  std::int64_t lo = static_cast<std::int64_t>(
      std::min(std::ceil(e.front() * 86400.0), static_cast<double>(span + 1)));
  lo = std::max<std::int64_t>(lo, 0);
  while (lo > 0 && days(lo - 1) >= e.front()) --lo;
  while (lo <= span && days(lo) < e.front()) ++lo;
  lim.lower = static_cast<std::int32_t>(lo);
  for (std::size_t k = 1; k < e.size(); ++k)
    lim.upper.push_back(static_cast<std::int32_t>(last_within(e[k])));
  return lim;
}

// The incidents in square cells as wide as the largest distance band, sorted by cell: a pair
// within it lies in the same or a neighbouring cell. Memory O(n + cells).
struct CellGrid {
  struct Cell {
    std::int64_t cx, cy;
    std::uint32_t begin, end;  // positions in `order`
  };
  std::vector<Cell> cells;            // sorted by (cx, cy)
  std::vector<std::uint32_t> order;   // positions in `used`, cell by cell
  std::vector<std::uint32_t> rank;    // inverse of order: row of position k
  std::vector<double> x, y;           // coordinates by row
  double reach = 0;

  CellGrid(const Incidents& inc, const std::vector<std::uint32_t>& used, double reach_m) : reach(reach_m) {
    const double cell = reach > 0 ? reach : 1.0;
    const std::size_t n = used.size();
    std::vector<std::pair<std::int64_t, std::int64_t>> key(n);
    for (std::size_t k = 0; k < n; ++k)
      key[k] = {static_cast<std::int64_t>(std::floor(inc.x[used[k]] / cell)),
                static_cast<std::int64_t>(std::floor(inc.y[used[k]] / cell))};
    order.resize(n);
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
      return key[a] != key[b] ? key[a] < key[b] : a < b;
    });
    rank.resize(n);
    x.resize(n), y.resize(n);
    for (std::uint32_t row = 0; row < n; ++row) {
      const std::uint32_t k = order[row];
      rank[k] = row;
      x[row] = inc.x[used[k]], y[row] = inc.y[used[k]];
      if (cells.empty() || cells.back().cx != key[k].first || cells.back().cy != key[k].second)
        cells.push_back({key[k].first, key[k].second, row, row});
      cells.back().end = row + 1;
    }
  }
  // The cell at (cx, cy), or nullptr.
  const Cell* find(std::int64_t cx, std::int64_t cy) const {
    auto it = std::lower_bound(cells.begin(), cells.end(), std::make_pair(cx, cy),
                               [](const Cell& c, const std::pair<std::int64_t, std::int64_t>& k) {
                                 return std::make_pair(c.cx, c.cy) < k;
                               });
    return it != cells.end() && it->cx == cx && it->cy == cy ? &*it : nullptr;
  }
};


// A batch of close pairs of one space band, as rows of the time table.
constexpr std::size_t kBatch = 512;

// For every pair (a[p], b[p]) and lane g: s = |t_a - t_b|; adds 1 to acc[k * width + g] when
// lower <= s <= upper[k] (nt cumulative time bands). Integer work only, so every width of
// vector unit gives the same counts; the clones let the CPU pick AVX2 where it has it.
__attribute__((target_clones("avx2", "default")))
void count_batch(const std::int32_t* rows, std::size_t width, const std::uint32_t* a,
                 const std::uint32_t* b, std::size_t pairs, std::int32_t lower,
                 const std::int32_t* upper, std::size_t nt, std::int32_t* acc) {
  for (std::size_t p = 0; p < pairs; ++p) {
    const std::int32_t* ta = rows + static_cast<std::size_t>(a[p]) * width;
    const std::int32_t* tb = rows + static_cast<std::size_t>(b[p]) * width;
    for (std::size_t k = 0; k < nt; ++k) {
      const std::int32_t up = upper[k];
      std::int32_t* out = acc + k * width;
      for (std::size_t g = 0; g < width; ++g) {
        const std::int32_t d = ta[g] - tb[g];
        const std::int32_t s = d < 0 ? -d : d;
        out[g] += static_cast<std::int32_t>(s >= lower) & static_cast<std::int32_t>(s <= up);
      }
    }
  }
}

struct CountPass {
  std::vector<std::int64_t> cumulative;  // [(space band * nt + k) * width + lane]
  std::int64_t close_pairs = 0;
};

// One thread's share of a pass: its accumulators (flushed to 64 bits before they could
// overflow) and its batches, one per space band.
struct PassWorker {
  std::size_t ns, nt, width;
  const std::vector<std::int32_t>& rows;
  const TimeLimits& lim;
  std::vector<std::int32_t> acc;
  std::vector<std::int64_t> total;
  std::vector<std::vector<std::uint32_t>> a, b;
  std::int64_t since_flush = 0, close_pairs = 0;

  PassWorker(std::size_t ns_, std::size_t nt_, std::size_t width_, const std::vector<std::int32_t>& rows_,
             const TimeLimits& lim_)
      : ns(ns_), nt(nt_), width(width_), rows(rows_), lim(lim_), acc(ns * nt * width, 0),
        total(ns * nt * width, 0), a(ns), b(ns) {}
  void add(std::uint32_t i, std::uint32_t j, std::size_t sb) {
    a[sb].push_back(i), b[sb].push_back(j);
    ++close_pairs;
    if (a[sb].size() == kBatch) run(sb);
  }
  void run(std::size_t sb) {
    count_batch(rows.data(), width, a[sb].data(), b[sb].data(), a[sb].size(), lim.lower,
                lim.upper.data(), nt, acc.data() + sb * nt * width);
    since_flush += static_cast<std::int64_t>(a[sb].size());
    a[sb].clear(), b[sb].clear();
    if (since_flush > (std::int64_t{1} << 30)) flush();
  }
  void flush() {
    for (std::size_t c = 0; c < acc.size(); ++c) total[c] += acc[c], acc[c] = 0;
    since_flush = 0;
  }
  void finish() {
    for (std::size_t sb = 0; sb < ns; ++sb)
      if (!a[sb].empty()) run(sb);
    flush();
  }
};

// The close pairs of cells [from, to) into w: each cell with itself and with the four
// neighbours after it, so every pair is met once.
void pairs_of_cells(const CellGrid& grid, const std::vector<double>& edges, std::size_t from,
                    std::size_t to, PassWorker& w) {
  const double reach2 = grid.reach * grid.reach * (1 + 1e-12);
  static constexpr std::int64_t kNext[4][2] = {{1, -1}, {1, 0}, {1, 1}, {0, 1}};
  auto visit = [&](std::uint32_t i, std::uint32_t j) {
    const double ddx = grid.x[i] - grid.x[j], ddy = grid.y[i] - grid.y[j];
    // Most candidates of the neighbouring cells are beyond reach: drop them before the exact
    // distance (the margin keeps every pair hypot would put at or under the last edge).
    if (ddx * ddx + ddy * ddy > reach2) return;
    const int s = band_of(edges, std::hypot(ddx, ddy));
    if (s >= 0) w.add(i, j, static_cast<std::size_t>(s));
  };
  for (std::size_t c = from; c < to; ++c) {
    const CellGrid::Cell& cell = grid.cells[c];
    for (std::uint32_t i = cell.begin; i < cell.end; ++i)
      for (std::uint32_t j = i + 1; j < cell.end; ++j) visit(i, j);
    for (const auto& d : kNext) {
      const CellGrid::Cell* other = grid.find(cell.cx + d[0], cell.cy + d[1]);
      if (!other) continue;
      for (std::uint32_t i = cell.begin; i < cell.end; ++i)
        for (std::uint32_t j = other->begin; j < other->end; ++j) visit(i, j);
    }
  }
}

// One pass over the close pairs for the lanes in `rows`. `passes`: how many passes the whole
// count takes, for the time estimate (told through opt.note before a count of over 10 s: the
// first cells are counted alone and timed, the rest in parallel).
CountPass count_pass(const CellGrid& grid, const std::vector<std::int32_t>& rows, std::size_t width,
                     const TimeLimits& lim, const KnoxOptions& opt, int threads, std::size_t passes) {
  const std::size_t ns = opt.space_bands.size() - 1, nt = opt.time_bands_days.size() - 1;
  const std::size_t nc = grid.cells.size();
  // Candidate pairs per cell (itself and its four later neighbours): the work, known up front.
  std::vector<double> work(nc + 1, 0);
  for (std::size_t c = 0; c < nc; ++c) {
    const auto& cell = grid.cells[c];
    const double m = cell.end - cell.begin;
    double w = m * (m - 1) / 2;
    for (std::int64_t dx = -1; dx <= 1; ++dx)
      for (std::int64_t dy = -1; dy <= 1; ++dy)
        if ((dx || dy) && (dx > 0 || (dx == 0 && dy > 0)))
          if (const auto* o = grid.find(cell.cx + dx, cell.cy + dy)) w += m * (o->end - o->begin);
    work[c + 1] = work[c] + w;
  }
  // The first cells, up to 1 % of the work, on this thread and timed.
  std::size_t head = 0;
  while (head < nc && work[head] < work[nc] * 0.01) ++head;
  PassWorker first(ns, nt, width, rows, lim);
  const auto t0 = std::chrono::steady_clock::now();
  pairs_of_cells(grid, opt.space_bands, 0, head, first);
  first.finish();
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (opt.note && passes > 0 && work[head] > 0) {
    const double estimate = took * (work[nc] / work[head]) * static_cast<double>(passes) /
                            std::max(1, threads);
    if (estimate > 10)
      opt.note("near-repeat: about " + std::to_string(static_cast<long long>(estimate + 0.5)) +
               " s to count the pairs within " + metres_text(grid.reach) + " for " +
               std::to_string(opt.permutations) + " permutations (" +
               std::to_string(static_cast<long long>(work[nc])) + " candidate pairs)");
  }
  // The rest in slices of equal work; each thread sums into its own worker.
  const std::size_t t = static_cast<std::size_t>(std::max(1, threads));
  std::vector<std::unique_ptr<PassWorker>> workers(t);
  std::vector<std::size_t> cut(t + 1, nc);
  cut[0] = head;
  for (std::size_t k = 1; k < t; ++k) {
    const double target = work[head] + (work[nc] - work[head]) * static_cast<double>(k) / static_cast<double>(t);
    cut[k] = static_cast<std::size_t>(std::lower_bound(work.begin() + static_cast<std::ptrdiff_t>(head), work.end() - 1, target) - work.begin());
    cut[k] = std::max(cut[k], cut[k - 1]);
  }
  parallel_tasks(t, threads, [&](std::size_t k, int) {
    workers[k] = std::make_unique<PassWorker>(ns, nt, width, rows, lim);
    pairs_of_cells(grid, opt.space_bands, cut[k], cut[k + 1], *workers[k]);
    workers[k]->finish();
  });
  CountPass out;
  out.cumulative = first.total;
  out.close_pairs = first.close_pairs;
  for (const auto& w : workers) {
    for (std::size_t c = 0; c < out.cumulative.size(); ++c) out.cumulative[c] += w->total[c];
    out.close_pairs += w->close_pairs;
  }
  return out;
}

}  // namespace

std::vector<std::int64_t> knox_counts_brute_force(const Incidents& inc, const KnoxOptions& opt) {
  check_knox_options(opt);
  const std::size_t ns = opt.space_bands.size() - 1, nt = opt.time_bands_days.size() - 1;
  std::vector<std::int64_t> counts(ns * nt, 0);
  for (std::size_t i = 0; i < inc.size(); ++i) {
    if (inc.time_utc[i] == kNoTime) continue;
    for (std::size_t j = i + 1; j < inc.size(); ++j) {
      if (inc.time_utc[j] == kNoTime) continue;
      int s = band_of(opt.space_bands, std::hypot(inc.x[i] - inc.x[j], inc.y[i] - inc.y[j]));
      int t = band_of(opt.time_bands_days, std::abs(static_cast<double>(inc.time_utc[i] - inc.time_utc[j])) / 86400.0);
      if (s >= 0 && t >= 0) ++counts[static_cast<std::size_t>(s) * nt + static_cast<std::size_t>(t)];
    }
  }
  return counts;
}

void check_knox_options(const KnoxOptions& opt) {
  check_edges(opt.space_bands, "space_bands");
  check_edges(opt.time_bands_days, "time_bands");
  if (opt.space_bands.size() > 200) throw ParameterError("space_bands", "at most 199 bands");
  if (opt.permutations < 0 || opt.permutations > kMaxPermutations)
    throw ParameterError("permutations", "must be in 0.." + std::to_string(kMaxPermutations) + " (got " +
                                             std::to_string(opt.permutations) + ")");
}

namespace {

// The counts of lanes [first_lane, last_lane) of the incidents `used` (with their `times`): lane
// 0 the observed times, lane 1 + k permutation k with its own stream (seed, k). Per band,
// lane-major. Every lane's counts are whole numbers of pairs, whatever lanes share its pass.
KnoxLaneCounts counted_lanes(const Incidents& inc, const std::vector<std::uint32_t>& used,
                             const std::vector<std::int64_t>& times, const KnoxOptions& opt,
                             std::size_t first_lane, std::size_t last_lane) {
  const std::size_t ns = opt.space_bands.size() - 1, nt = opt.time_bands_days.size() - 1;
  const std::size_t n = used.size();
  const TimeLimits lim = time_limits(times, opt.time_bands_days);
  const CellGrid grid(inc, used, opt.space_bands.back());
  // Lanes are counted in chunks of `width` lanes (a multiple of 8, for the vector unit) whose
  // times fit the budget, each chunk one pass over the close pairs.
  const std::size_t lanes = last_lane - first_lane;
  // The permuted times of a pass are int32 seconds after the earliest time, one row of `width`
  // lanes per incident, within opt.times_budget_bytes: with the default a million incidents take
  // every lane of 99 permutations in one pass, ten million take several passes over the pairs.
  const std::size_t budget_lanes =
      std::max<std::size_t>(8, opt.times_budget_bytes / (4 * std::max<std::size_t>(1, n)));
  const std::size_t chunks = std::max<std::size_t>(1, (lanes + budget_lanes - 1) / budget_lanes);
  const std::size_t width = ((lanes + chunks - 1) / chunks + 7) / 8 * 8;
  KnoxLaneCounts out;
  std::vector<std::int64_t>& counts = out.counts;
  counts.assign(lanes * ns * nt, 0);  // lane-major, cumulative over time bands
  std::vector<std::int32_t> rows(n * width);
  const int threads = resolve_threads(opt.threads);
  for (std::size_t first = 0; first < lanes; first += width) {
    const std::size_t here = std::min(width, lanes - first);
    // Row g of the time table: lane first_lane + first + g's times, as int32 offsets, in cell order.
    std::fill(rows.begin(), rows.end(), 0);
    parallel_ranges(here, threads, [&](std::size_t b, std::size_t e, int) {
      std::vector<std::int64_t> t(n);
      for (std::size_t g = b; g < e; ++g) {
        const std::size_t lane = first_lane + first + g;
        std::copy(times.begin(), times.end(), t.begin());
        if (lane > 0) {  // permutation lane - 1, with its own stream (seed, lane - 1)
          Rng rng(opt.seed, lane - 1);
          for (std::size_t i = t.size(); i > 1; --i) std::swap(t[i - 1], t[rng.below(i)]);
        }
        for (std::size_t k = 0; k < n; ++k)
          rows[static_cast<std::size_t>(grid.rank[k]) * width + g] =
              static_cast<std::int32_t>(t[k] - lim.origin);
      }
    }, /*min_per_thread=*/1);
    // The first pass times its first cells and tells opt.note of a long count.
    const CountPass pass =
        count_pass(grid, rows, width, lim, opt, threads, first == 0 ? (lanes + width - 1) / width : 0);
    if (first == 0) out.close_pairs = pass.close_pairs;
    for (std::size_t g = 0; g < here; ++g)
      for (std::size_t c = 0; c < ns * nt; ++c)
        counts[(first + g) * ns * nt + c] = pass.cumulative[(c) * width + g];
  }
  // Cumulative (pairs at most e_{k+1} days apart) to per band.
  for (std::size_t lane = 0; lane < lanes; ++lane)
    for (std::size_t sb = 0; sb < ns; ++sb)
      for (std::size_t k = nt - 1; k > 0; --k)
        counts[lane * ns * nt + sb * nt + k] -= counts[lane * ns * nt + sb * nt + k - 1];
  return out;
}

}  // namespace

KnoxLaneCounts knox_lane_counts(const Incidents& inc, const KnoxOptions& opt, std::size_t first_lane,
                                std::size_t last_lane) {
  check_knox_options(opt);
  if (first_lane > last_lane || last_lane > 1 + static_cast<std::size_t>(opt.permutations))
    throw InternalError("knox: lanes [" + std::to_string(first_lane) + ", " + std::to_string(last_lane) +
                        ") outside 0.." + std::to_string(opt.permutations));
  std::vector<std::uint32_t> used(inc.size());
  std::iota(used.begin(), used.end(), 0u);
  for (auto t : inc.time_utc)
    if (t == kNoTime) throw InternalError("knox: lane counts need a time for every incident");
  return counted_lanes(inc, used, inc.time_utc, opt, first_lane, last_lane);
}

KnoxResult knox_test(const Incidents& inc, const KnoxOptions& opt) { return knox_test(inc, opt, {}); }

KnoxResult knox_test(const Incidents& inc, const KnoxOptions& opt, const KnoxLanesFn& count_lanes) {
  check_knox_options(opt);
  const std::size_t ns = opt.space_bands.size() - 1, nt = opt.time_bands_days.size() - 1;
  KnoxResult r;

  // Incidents with a time, and their times (the permutations shuffle these).
  std::vector<std::uint32_t> used;
  std::vector<std::int64_t> times;
  const std::vector<char> wanted = select_categories(inc.categories, opt.categories);
  for (std::size_t i = 0; i < inc.size(); ++i) {
    if (inc.time_utc[i] == kNoTime) {
      ++r.without_time;
    } else if ((!wanted.empty() && (inc.category[i] == Dictionary::kNone || !wanted[inc.category[i]])) ||
               !opt.window.contains(inc.time_utc[i], opt.utc_offset_minutes)) {
      ++r.filtered;
    } else {
      used.push_back(static_cast<std::uint32_t>(i));
      times.push_back(inc.time_utc[i]);
    }
  }
  r.incidents_used = static_cast<std::int64_t>(used.size());
  const std::size_t lanes = 1 + static_cast<std::size_t>(opt.permutations);
  KnoxLaneCounts lc;
  if (count_lanes) {
    // Counted elsewhere (hotspot.dask): the incidents taking part, in order, with no filter left.
    Incidents part;
    for (auto i : used) part.x.push_back(inc.x[i]), part.y.push_back(inc.y[i]);
    part.time_utc = times;
    part.category.assign(used.size(), Dictionary::kNone);
    KnoxOptions o = opt;
    o.categories.clear(), o.window = TimeWindow{};
    lc = count_lanes(part, o);
    if (lc.counts.size() != lanes * ns * nt)
      throw InternalError("knox: the counts computed elsewhere are not one per lane and cell");
  } else {
    lc = counted_lanes(inc, used, times, opt, 0, lanes);
  }
  r.close_pairs = lc.close_pairs;
  const std::vector<std::int64_t>& counts = lc.counts;

  const auto n_perm = static_cast<std::size_t>(opt.permutations);
  for (std::size_t c = 0; c < ns * nt; ++c) {
    KnoxCell cellr;
    cellr.space_band = static_cast<int>(c / nt);
    cellr.time_band = static_cast<int>(c % nt);
    cellr.observed = counts[c];
    double sum = 0;
    std::int64_t as_extreme = 0;
    for (std::size_t k = 0; k < n_perm; ++k) {
      const std::int64_t v = counts[(k + 1) * ns * nt + c];
      sum += static_cast<double>(v);
      as_extreme += v >= cellr.observed;
    }
    cellr.expected = n_perm ? sum / static_cast<double>(n_perm) : std::nan("");
    cellr.ratio = cellr.expected > 0 ? static_cast<double>(cellr.observed) / cellr.expected : std::nan("");
    cellr.p_value = static_cast<double>(as_extreme + 1) / static_cast<double>(n_perm + 1);
    r.cells.push_back(cellr);
  }
  return r;
}

}  // namespace hotspot
