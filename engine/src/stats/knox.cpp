#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <numeric>
#include <string>

#include "hotspot/distribute.hpp"
#include "hotspot/error.hpp"
#include "hotspot/huge_pages.hpp"
#include "hotspot/spacetime.hpp"
#include "stats/knox_lanes.hpp"
#include "util/parallel.hpp"
#include "util/rng.hpp"
#include "util/text.hpp"

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

// The table of permuted times, n rows of `width` int32 lanes: not zeroed (every lane is
// written before a pass reads it), and on transparent huge pages where the kernel offers them
// (hotspot/huge_pages.hpp), since a pass reads rows all over its hundreds of megabytes.
struct TimeTable {
  explicit TimeTable(std::size_t count)
      : size(std::max<std::size_t>(1, count)),
        data(HugePageAllocator<std::int32_t>().allocate(size)) {}
  ~TimeTable() { HugePageAllocator<std::int32_t>().deallocate(data, size); }
  TimeTable(const TimeTable&) = delete;
  TimeTable& operator=(const TimeTable&) = delete;
  std::size_t size;
  std::int32_t* data;
};

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
  // Drops the incidents with no other within reach: they are in no close pair, so they need no
  // row of the time table (in the full-run benchmark 42 % of a million), and the pair pass skips
  // them. The test is pairs_of_cells' own candidate test, so every incident of a pair stays.
  // rank[k] of a dropped position is kDropped.
  static constexpr std::uint32_t kDropped = std::numeric_limits<std::uint32_t>::max();
  // Whether cell c comes before (cx, cy) in the cells' (cx, cy) order.
  static bool before(const Cell& c, std::int64_t cx, std::int64_t cy) {
    return c.cx != cx ? c.cx < cx : c.cy < cy;
  }
  void keep_paired(int threads) {
    const double reach2 = reach * reach * (1 + 1e-12);
    const std::size_t nc = cells.size();
    std::vector<char> paired(x.size(), 0);
    const std::size_t slices = std::min<std::size_t>(nc, 64);
    parallel_tasks(slices, threads, [&](std::size_t s, int) {
      for (std::size_t c = nc * s / slices; c < nc * (s + 1) / slices; ++c) {
        const Cell& cell = cells[c];
        // The cells of the 3 x 3 block around c, as row ranges.
        std::pair<std::uint32_t, std::uint32_t> block[9];
        std::size_t nb = 0;
        for (std::int64_t dx = -1; dx <= 1; ++dx) {
          auto it = std::partition_point(cells.begin(), cells.end(),
                                         [&](const Cell& a) { return before(a, cell.cx + dx, cell.cy - 1); });
          for (; it != cells.end() && it->cx == cell.cx + dx && it->cy <= cell.cy + 1; ++it)
            block[nb++] = {it->begin, it->end};
        }
        for (std::uint32_t i = cell.begin; i < cell.end; ++i) {
          for (std::size_t b = 0; b < nb && !paired[i]; ++b)
            for (std::uint32_t j = block[b].first; j < block[b].second; ++j) {
              const double ddx = x[i] - x[j], ddy = y[i] - y[j];
              if (j != i && ddx * ddx + ddy * ddy <= reach2) {
                paired[i] = 1;
                break;
              }
            }
        }
      }
    });
    std::vector<Cell> kept;
    std::uint32_t out = 0;
    for (const Cell& cell : cells) {
      const std::uint32_t begin = out;
      for (std::uint32_t row = cell.begin; row < cell.end; ++row) {
        const std::uint32_t k = order[row];
        if (!paired[row]) {
          rank[k] = kDropped;
          continue;
        }
        order[out] = k, x[out] = x[row], y[out] = y[row], rank[k] = out++;
      }
      if (out > begin) kept.push_back({cell.cx, cell.cy, begin, out});
    }
    cells = std::move(kept);
    order.resize(out), x.resize(out), y.resize(out);
  }
  // The four neighbours after cell c (in (cx, cy) order: the three of column cx + 1 and the one
  // above), or nullptr, for c = from, from + 1, ... in turn: one cursor walks the next column,
  // since (cx + 1, cy - 1) only grows with c.
  class Later {
   public:
    Later(const CellGrid& g, std::size_t from) : g_(g), col_(from) {}
    void at(std::size_t c, const Cell* out[4]) {
      const Cell& cell = g_.cells[c];
      while (col_ < g_.cells.size() && before(g_.cells[col_], cell.cx + 1, cell.cy - 1)) ++col_;
      for (int d = 0; d < 3; ++d) out[d] = nullptr;
      for (std::size_t p = col_; p < g_.cells.size() && g_.cells[p].cx == cell.cx + 1 &&
                                 g_.cells[p].cy <= cell.cy + 1; ++p)
        out[static_cast<std::size_t>(g_.cells[p].cy - cell.cy + 1)] = &g_.cells[p];
      out[3] = c + 1 < g_.cells.size() && g_.cells[c + 1].cx == cell.cx && g_.cells[c + 1].cy == cell.cy + 1
                   ? &g_.cells[c + 1] : nullptr;
    }

   private:
    const CellGrid& g_;
    std::size_t col_;
  };
};


// A batch of close pairs of one space band, as offsets of rows of the time table. 1,024 pairs
// touch a few neighbouring cells' rows, which stay in the L2 cache while every lane block of
// the batch is counted.
constexpr std::size_t kBatch = 1024;

struct CountPass {
  std::vector<std::int64_t> cumulative;  // [(space band * nt + k) * width + lane]
  std::int64_t close_pairs = 0;
};

// One thread's share of a pass: its accumulators (flushed to 64 bits before they could
// overflow) and its batches, one per space band.
struct PassWorker {
  std::size_t ns, nt, width;
  const std::int32_t* rows;
  const TimeLimits& lim;
  std::vector<std::int32_t> acc;
  std::vector<std::int64_t> total;
  std::vector<std::size_t> a, b;  // per space band, kBatch row offsets in `rows`
  std::vector<std::size_t> queued;  // per space band
  std::int64_t since_flush = 0, close_pairs = 0;

  PassWorker(std::size_t ns_, std::size_t nt_, std::size_t width_, const std::int32_t* rows_,
             const TimeLimits& lim_)
      : ns(ns_), nt(nt_), width(width_), rows(rows_), lim(lim_), acc(ns * nt * width, 0),
        total(ns * nt * width, 0), a(ns * kBatch), b(ns * kBatch), queued(ns, 0) {}
  void add(std::uint32_t i, std::uint32_t j, std::size_t sb) {
    const std::size_t q = queued[sb]++;
    a[sb * kBatch + q] = std::size_t{i} * width, b[sb * kBatch + q] = std::size_t{j} * width;
    ++close_pairs;
    if (q + 1 == kBatch) run(sb);
  }
  void run(std::size_t sb) {
    count_batch(rows, width, a.data() + sb * kBatch, b.data() + sb * kBatch, queued[sb], lim.lower,
                lim.upper.data(), nt, acc.data() + sb * nt * width);
    since_flush += static_cast<std::int64_t>(queued[sb]);
    queued[sb] = 0;
    if (since_flush > (std::int64_t{1} << 30)) flush();
  }
  void flush() {
    for (std::size_t c = 0; c < acc.size(); ++c) total[c] += acc[c], acc[c] = 0;
    since_flush = 0;
  }
  void finish() {
    for (std::size_t sb = 0; sb < ns; ++sb)
      if (queued[sb] > 0) run(sb);
    flush();
  }
};

// The space band of a pair, band_of(edges, hypot(dx, dy)), from its squared distance d2: hypot
// runs only where d2 lies within a relative 1e-9 of an edge's square, where rounding could
// decide (d2 and hypot differ from the true distance by a few units in the last place).
struct SpaceBands {
  std::vector<double> edges, below, above;  // per edge e: (e(1 - 1e-9))², (e(1 + 1e-9))²
  bool squares = true;  // every edge 0 or with a normal square; else always hypot

  explicit SpaceBands(const std::vector<double>& e) : edges(e) {
    for (double v : e) {
      below.push_back(v * (1 - 1e-9) * (v * (1 - 1e-9)));
      above.push_back(v * (1 + 1e-9) * (v * (1 + 1e-9)));
      if (v != 0 && !(v > 1e-100 && v < 1e100)) squares = false;
    }
  }
  int of(double dx, double dy, double d2) const {
    if (!squares || !(d2 > 1e-200 && d2 < 1e200)) return band_of(edges, std::hypot(dx, dy));
    // Edges surely below the distance; the next edge up is either surely above it or near it.
    std::size_t beyond = 0;
    for (double v : above) beyond += d2 > v;
    if (beyond < below.size() && d2 >= below[beyond]) return band_of(edges, std::hypot(dx, dy));
    return beyond == 0 || beyond == above.size() ? -1 : static_cast<int>(beyond) - 1;
  }
};

// The close pairs of cells [from, to) into w: each cell with itself and with the four
// neighbours after it, so every pair is met once.
void pairs_of_cells(const CellGrid& grid, const SpaceBands& bands, std::size_t from,
                    std::size_t to, PassWorker& w) {
  const double reach2 = grid.reach * grid.reach * (1 + 1e-12);
  // Most candidates of the neighbouring cells are beyond reach: a branch-free pass keeps those
  // within (the margin keeps every pair hypot would put at or under the last edge), 256 at a time.
  constexpr std::uint32_t kChunk = 256;
  std::uint32_t near[kChunk];
  double near_d2[kChunk];
  auto scan = [&](std::uint32_t i, std::uint32_t j0, std::uint32_t j1) {
    const double xi = grid.x[i], yi = grid.y[i];
    for (std::uint32_t c0 = j0; c0 < j1; c0 += kChunk) {
      const std::uint32_t c1 = std::min(j1, c0 + kChunk);
      std::uint32_t m = 0;
      for (std::uint32_t j = c0; j < c1; ++j) {
        const double ddx = xi - grid.x[j], ddy = yi - grid.y[j];
        const double d2 = ddx * ddx + ddy * ddy;
        near[m] = j, near_d2[m] = d2;
        m += d2 <= reach2;
      }
      for (std::uint32_t k = 0; k < m; ++k) {
        const std::uint32_t j = near[k];
        const int s = bands.of(xi - grid.x[j], yi - grid.y[j], near_d2[k]);
        if (s >= 0) w.add(i, j, static_cast<std::size_t>(s));
      }
    }
  };
  CellGrid::Later later(grid, from);
  const CellGrid::Cell* next[4];
  for (std::size_t c = from; c < to; ++c) {
    const CellGrid::Cell& cell = grid.cells[c];
    for (std::uint32_t i = cell.begin; i < cell.end; ++i) scan(i, i + 1, cell.end);
    later.at(c, next);
    for (const CellGrid::Cell* other : next) {
      if (!other) continue;
      for (std::uint32_t i = cell.begin; i < cell.end; ++i) scan(i, other->begin, other->end);
    }
  }
}

// One pass over the close pairs for the lanes in `rows`. `passes`: how many passes the whole
// count takes, for the time estimate (told through opt.note before a count of over 10 s: the
// first cells are counted alone and timed, the rest in parallel).
CountPass count_pass(const CellGrid& grid, const std::int32_t* rows, std::size_t width,
                     const TimeLimits& lim, const KnoxOptions& opt, int threads, std::size_t passes) {
  const std::size_t ns = opt.space_bands.size() - 1, nt = opt.time_bands_days.size() - 1;
  const std::size_t nc = grid.cells.size();
  const SpaceBands bands(opt.space_bands);
  // Candidate pairs per cell (itself and its four later neighbours): the work, known up front.
  std::vector<double> work(nc + 1, 0);
  CellGrid::Later later(grid, 0);
  const CellGrid::Cell* next[4];
  for (std::size_t c = 0; c < nc; ++c) {
    const auto& cell = grid.cells[c];
    const double m = cell.end - cell.begin;
    double w = m * (m - 1) / 2;
    later.at(c, next);
    for (const CellGrid::Cell* o : next)
      if (o) w += m * (o->end - o->begin);
    work[c + 1] = work[c] + w;
  }
  // The first cells, up to 1 % of the work, on this thread and timed.
  std::size_t head = 0;
  while (head < nc && work[head] < work[nc] * 0.01) ++head;
  PassWorker first(ns, nt, width, rows, lim);
  const auto t0 = std::chrono::steady_clock::now();
  pairs_of_cells(grid, bands, 0, head, first);
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
  // The rest in slices of equal work, handed out one at a time (a shared machine slows one
  // thread more than another); each thread sums into its own worker, and the counts are whole
  // numbers, so the result does not depend on which thread counted what.
  const std::size_t t = static_cast<std::size_t>(std::max(1, threads));
  const std::size_t slices = t == 1 ? 1 : 16 * t;
  std::vector<std::unique_ptr<PassWorker>> workers(t);
  std::vector<std::size_t> cut(slices + 1, nc);
  cut[0] = head;
  for (std::size_t k = 1; k < slices; ++k) {
    const double target = work[head] + (work[nc] - work[head]) * static_cast<double>(k) / static_cast<double>(slices);
    cut[k] = static_cast<std::size_t>(std::lower_bound(work.begin() + static_cast<std::ptrdiff_t>(head), work.end() - 1, target) - work.begin());
    cut[k] = std::max(cut[k], cut[k - 1]);
  }
  parallel_tasks(slices, threads, [&](std::size_t k, int thread) {
    auto& w = workers[static_cast<std::size_t>(thread)];
    if (!w) w = std::make_unique<PassWorker>(ns, nt, width, rows, lim);
    pairs_of_cells(grid, bands, cut[k], cut[k + 1], *w);
  });
  for (auto& w : workers)
    if (w) w->finish();
  CountPass out;
  out.cumulative = first.total;
  out.close_pairs = first.close_pairs;
  for (const auto& w : workers) {
    if (!w) continue;
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
  const int threads = resolve_threads(opt.threads);
  CellGrid grid(inc, used, opt.space_bands.back());
  grid.keep_paired(threads);
  const std::size_t rows_kept = grid.order.size();
  // Lanes are counted in chunks of `width` lanes (a multiple of 8, for the vector unit) whose
  // times fit the budget, each chunk one pass over the close pairs.
  const std::size_t lanes = last_lane - first_lane;
  // The permuted times of a pass are int32 seconds after the earliest time, one row of `width`
  // lanes per incident in a close pair, within opt.times_budget_bytes: with the default a million
  // incidents take every lane of 99 permutations in one pass, ten million take several passes.
  const std::size_t budget_lanes =
      std::max<std::size_t>(8, opt.times_budget_bytes / (4 * std::max<std::size_t>(1, rows_kept)));
  const std::size_t chunks = std::max<std::size_t>(1, (lanes + budget_lanes - 1) / budget_lanes);
  const std::size_t width = ((lanes + chunks - 1) / chunks + 7) / 8 * 8;
  KnoxLaneCounts out;
  std::vector<std::int64_t>& counts = out.counts;
  counts.assign(lanes * ns * nt, 0);  // lane-major, cumulative over time bands
  TimeTable rows(rows_kept * width);
  for (std::size_t first = 0; first < lanes; first += width) {
    const std::size_t here = std::min(width, lanes - first);
    // Row g of the time table: lane first_lane + first + g's times, as int32 offsets, in cell
    // order (lanes past `here` are zeros and not read). Eight lanes at a time are shuffled, each
    // in its own 4 MB-per-million array (random swaps stay within the cache: shuffling them side
    // by side was 4 times slower), then written row by row, 32 bytes a row, rather than one lane
    // scattered over every row.
    const std::size_t blocks = width / 8;
    std::vector<std::vector<std::int32_t>> shuffled(static_cast<std::size_t>(std::max(1, threads)));
    parallel_tasks(blocks, threads, [&](std::size_t block, int thread) {
      std::vector<std::int32_t>& t = shuffled[static_cast<std::size_t>(thread)];
      t.resize(8 * n);
      for (std::size_t l = 0; l < 8; ++l) {
        std::int32_t* lane_times = t.data() + l * n;
        const std::size_t g = block * 8 + l;
        if (g >= here) {
          std::fill(lane_times, lane_times + n, 0);
          continue;
        }
        for (std::size_t k = 0; k < n; ++k) lane_times[k] = static_cast<std::int32_t>(times[k] - lim.origin);
        if (const std::size_t lane = first_lane + first + g; lane > 0) {
          // permutation lane - 1, with its own stream (seed, lane - 1)
          Rng rng(opt.seed, lane - 1);
          for (std::size_t i = n; i > 1; --i) std::swap(lane_times[i - 1], lane_times[rng.below(i)]);
        }
      }
      for (std::size_t k = 0; k < n; ++k) {
        if (grid.rank[k] == CellGrid::kDropped) continue;
        std::int32_t* row = rows.data + static_cast<std::size_t>(grid.rank[k]) * width + block * 8;
        for (std::size_t l = 0; l < 8; ++l) row[l] = t[l * n + k];
      }
    });
    // The first pass times its first cells and tells opt.note of a long count.
    const CountPass pass =
        count_pass(grid, rows.data, width, lim, opt, threads, first == 0 ? (lanes + width - 1) / width : 0);
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
