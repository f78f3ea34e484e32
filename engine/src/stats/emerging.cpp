#include "stats/emerging.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "aggregate/grid.hpp"
#include "hotspot/distribute.hpp"
#include "geom/geos.hpp"
#include "hotspot/error.hpp"
#include "util/text.hpp"
#include "index/polygon_index.hpp"
#include "util/parallel.hpp"
#include "util/time.hpp"

namespace hotspot {

namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

// Month number (year * 12 + month - 1) of a day count since 1970-01-01.
std::int64_t month_of_day(std::int64_t day) {
  std::string s = format_utc(day * 86400);
  return std::stoll(s.substr(0, 4)) * 12 + std::stoll(s.substr(5, 2)) - 1;
}

// "1w", "3mo": a step as the parameter takes it.
std::string time_step_text(const TimeStep& s) {
  return std::to_string(s.count) +
         (s.unit == TimeStep::Unit::kDay ? "d" : s.unit == TimeStep::Unit::kWeek ? "w" : "mo");
}

void count_empty_steps(const std::vector<double>& cube, std::size_t nc, std::size_t steps,
                       EmergingResult& r) {
  for (std::size_t t = 0; t < steps; ++t) {
    double total = 0;
    for (std::size_t c = 0; c < nc; ++c) total += cube[t * nc + c];
    r.empty_steps += total == 0;
  }
}

}  // namespace

std::optional<ChosenTimeStep> longest_time_step(const std::vector<std::int64_t>& time_utc,
                                                int utc_offset_minutes) {
  for (const char* candidate : {"1mo", "2w", "1w", "3d", "1d"}) {
    const std::size_t n = bin_times(time_utc, parse_time_step(candidate), utc_offset_minutes).steps();
    if (n >= kMinEmergingSteps) return ChosenTimeStep{candidate, n};
  }
  return std::nullopt;
}

std::string suggest_time_step(const std::vector<std::int64_t>& time_utc, int utc_offset_minutes) {
  if (const auto chosen = longest_time_step(time_utc, utc_offset_minutes))
    return "Try time_step \"" + chosen->time_step + "\" (" + std::to_string(chosen->steps) +
           " steps).";
  return "Even time_step \"1d\" gives fewer: the incidents span fewer than " +
         std::to_string(kMinEmergingSteps) + " days.";
}

TimeStep parse_time_step(const std::string& text) {
  TimeStep ts;
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  const std::string unit = text.substr(digits);
  if (digits == 0 || digits > 4)
    throw ParameterError(
        "time_step", "'" + text + "': expected Nd, Nw or Nmo with 1 <= N <= 9999, e.g. 1w or 1mo");
  ts.count = std::stoi(text.substr(0, digits));
  if (unit == "d")
    ts.unit = TimeStep::Unit::kDay;
  else if (unit == "w")
    ts.unit = TimeStep::Unit::kWeek;
  else if (unit == "mo")
    ts.unit = TimeStep::Unit::kMonth;
  else
    throw ParameterError("time_step", "'" + text + "': expected Nd, Nw or Nmo, e.g. 1w or 1mo");
  if (ts.count < 1)
    throw ParameterError("time_step", "'" + text + "': the count must be at least 1");
  return ts;
}

StepBinning bin_times(const std::vector<std::int64_t>& t, const TimeStep& step,
                      int utc_offset_minutes) {
  StepBinning b;
  b.step_of.assign(t.size(), -1);
  const std::int64_t offset = std::int64_t{utc_offset_minutes} * 60;
  // The period number of each incident: days, Monday-based weeks (1970-01-01 was a Thursday) or
  // months, counted from the epoch in local time.
  auto period = [&](std::int64_t utc) {
    std::int64_t day = floor_div(utc + offset, 86400);
    switch (step.unit) {
      case TimeStep::Unit::kDay:
        return day;
      case TimeStep::Unit::kWeek:
        return floor_div(day + 3, 7);
      case TimeStep::Unit::kMonth:
        return month_of_day(day);
    }
    return day;
  };
  std::int64_t first = std::numeric_limits<std::int64_t>::max(),
               last = std::numeric_limits<std::int64_t>::min();
  std::vector<std::int64_t> per(t.size());
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] == kNoTime) continue;
    per[i] = period(t[i]);
    first = std::min(first, per[i]), last = std::max(last, per[i]);
  }
  if (first > last) return b;
  const std::int64_t k = step.count;
  const std::int64_t steps = floor_div(last - first, k) + 1;
  if (steps > 100000)
    throw ParameterError("time_step", std::to_string(steps) + " steps; choose a longer step");
  for (std::size_t i = 0; i < t.size(); ++i)
    if (t[i] != kNoTime) b.step_of[i] = static_cast<std::int32_t>(floor_div(per[i] - first, k));
  for (std::int64_t s = 0; s < steps; ++s) {
    const std::int64_t p = first + s * k;
    std::int64_t day = 0;
    switch (step.unit) {
      case TimeStep::Unit::kDay:
        day = p;
        break;
      case TimeStep::Unit::kWeek:
        day = p * 7 - 3;
        break;
      case TimeStep::Unit::kMonth:
        day = days_from_civil(floor_div(p, 12),
                              static_cast<unsigned>(p - floor_div(p, 12) * 12 + 1), 1);
        break;
    }
    b.start_utc.push_back(day * 86400 - offset);
  }
  return b;
}

CubeMoments cube_moments(const std::vector<double>& x) {
  double sum = 0, sum2 = 0;
  for (double v : x) sum += v, sum2 += v * v;
  CubeMoments m;
  m.n = static_cast<double>(x.size());
  m.mean = sum / m.n;
  m.s = std::sqrt(std::max(0.0, sum2 / m.n - m.mean * m.mean));
  if (!(m.s > 0))
    throw InputError(
        "emerging: every bin of the space-time cube holds the same count; nothing to test");
  return m;
}

std::vector<double> space_time_running(const std::vector<double>& x, std::size_t cells,
                                       std::size_t steps, const SpatialWeights& w_self,
                                       int window, std::size_t first, std::size_t last,
                                       int threads) {
  if (x.size() != cells * steps || first > last || last > w_self.size())
    throw InternalError("space_time_running: sizes do not match");
  const std::size_t rows = last - first;
  // Spatial lag of every bin, then a running sum over the window of steps.
  // Every cell is computed on its own: split over threads by cell, results do not depend on it.
  std::vector<double> lag(rows * steps, 0.0), running(rows * steps, 0.0);
  parallel_ranges(rows, threads, [&](std::size_t r0, std::size_t r1, int) {
    for (std::size_t t = 0; t < steps; ++t)
      for (std::size_t r = r0; r < r1; ++r) {
        const std::size_t c = first + r;
        double l = 0;
        for (auto k = w_self.offset[c]; k < w_self.offset[c + 1]; ++k)
          l += x[t * cells + static_cast<std::size_t>(w_self.index[static_cast<std::size_t>(k)])];
        lag[t * rows + r] = l;
      }
  });
  const auto w = static_cast<std::size_t>(std::max(0, window));
  parallel_ranges(rows, threads, [&](std::size_t r0, std::size_t r1, int) {
    for (std::size_t r = r0; r < r1; ++r) {
      double sum = 0;
      for (std::size_t t = 0; t < steps; ++t) {
        sum += lag[t * rows + r];
        if (t > w) sum -= lag[(t - w - 1) * rows + r];
        running[t * rows + r] = sum;
      }
    }
  });
  return running;
}

GiStar space_time_z(const std::vector<double>& running, const std::vector<std::int32_t>& neighbours,
                    std::size_t steps, int window, const CubeMoments& m, int threads) {
  const std::size_t cells = neighbours.size(), n = cells * steps;
  if (running.size() != n || m.n != static_cast<double>(n))
    throw InternalError("space_time_z: sizes do not match");
  GiStar g;
  g.z.assign(n, std::numeric_limits<double>::quiet_NaN());
  g.p.assign(n, std::numeric_limits<double>::quiet_NaN());
  const double nd = m.n, mean = m.mean, s = m.s;
  const auto w = static_cast<std::size_t>(std::max(0, window));
  parallel_ranges(cells, threads, [&](std::size_t c0, std::size_t c1, int) {
    for (std::size_t c = c0; c < c1; ++c) {
      const auto nb = static_cast<double>(neighbours[c]);
      for (std::size_t t = 0; t < steps; ++t) {
        const double m_steps = static_cast<double>(std::min(t, w) + 1);
        const double W = nb * m_steps;
        const double denom = s * std::sqrt((nd * W - W * W) / (nd - 1));
        if (!(denom > 0)) continue;
        const double z = (running[t * cells + c] - mean * W) / denom;
        g.z[t * cells + c] = z;
        g.p[t * cells + c] = std::erfc(std::abs(z) / std::sqrt(2.0));
      }
    }
  });
  return g;
}

GiStar space_time_gi_star(const std::vector<double>& x, std::size_t cells, std::size_t steps,
                          const SpatialWeights& w_self, int window, int threads) {
  if (x.size() != cells * steps || w_self.size() != cells)
    throw InternalError("space_time_gi_star: sizes do not match");
  const CubeMoments m = cube_moments(x);
  std::vector<std::int32_t> neighbours(cells);
  for (std::size_t c = 0; c < cells; ++c)
    neighbours[c] = static_cast<std::int32_t>(w_self.cardinality(c));
  return space_time_z(space_time_running(x, cells, steps, w_self, window, 0, cells, threads),
                      neighbours, steps, window, m, threads);
}

CellPatterns classify_cells(const std::vector<double>& cube, const GiStar& gi, std::size_t cells,
                            std::size_t steps, double alpha, int threads) {
  CellPatterns r;
  r.category.resize(cells);
  r.gi_trend.resize(cells);
  r.count_trend.resize(cells);
  parallel_ranges(
      cells, threads,
      [&](std::size_t c0, std::size_t c1, int) {
        std::vector<double> z(steps), p(steps), counts(steps);
        for (std::size_t c = c0; c < c1; ++c) {
          for (std::size_t t = 0; t < steps; ++t) {
            const std::size_t b = t * cells + c;
            z[t] = gi.z[b], p[t] = gi.p[b], counts[t] = cube[b];
            if (std::isnan(z[t])) z[t] = 0, p[t] = 1;
          }
          r.gi_trend[c] = mann_kendall(z);
          r.count_trend[c] = mann_kendall(counts);
          r.category[c] = classify_emerging(z.data(), p.data(), steps, alpha, r.gi_trend[c]);
        }
      },
      /*min_per_thread=*/256);
  return r;
}

SpatialWeights space_time_weights(std::size_t cells, std::size_t steps,
                                  const SpatialWeights& w_self, int window) {
  std::vector<std::vector<std::int32_t>> lists(cells * steps);
  for (std::size_t t = 0; t < steps; ++t)
    for (std::size_t c = 0; c < cells; ++c)
      for (std::size_t s =
               t >= static_cast<std::size_t>(window) ? t - static_cast<std::size_t>(window) : 0;
           s <= t; ++s)
        for (auto k = w_self.offset[c]; k < w_self.offset[c + 1]; ++k)
          lists[t * cells + c].push_back(static_cast<std::int32_t>(
              s * cells + static_cast<std::size_t>(w_self.index[static_cast<std::size_t>(k)])));
  return from_lists(std::move(lists));
}

std::vector<std::int32_t> locate_cells(const std::vector<MultiPolygon>& cells,
                                       std::span<const double> x, std::span<const double> y,
                                       int threads) {
  if (x.size() != y.size()) throw InternalError("locate_cells: column lengths differ");
  if (x.empty()) return {};
  Box near;
  for (std::size_t i = 0; i < x.size(); ++i) near.expand(XY{x[i], y[i]});
  // The cells that can hold a point, in their global order (locate takes the lowest-numbered).
  std::vector<MultiPolygon> some;
  std::vector<std::int32_t> number;
  for (std::size_t c = 0; c < cells.size(); ++c) {
    if (near.empty() || !bounds(cells[c]).intersects(near)) continue;
    some.push_back(cells[c]);
    number.push_back(static_cast<std::int32_t>(c));
  }
  const PolygonIndex index(some);
  std::vector<std::int32_t> out(x.size(), -1);
  parallel_ranges(x.size(), resolve_threads(threads), [&](std::size_t a, std::size_t b, int) {
    for (std::size_t i = a; i < b; ++i) {
      const std::int32_t k = index.locate({x[i], y[i]});
      if (k >= 0) out[i] = number[static_cast<std::size_t>(k)];
    }
  });
  return out;
}

EmergingResult emerging(const std::vector<double>& x, const std::vector<double>& y,
                        const std::vector<std::int64_t>& time_utc,
                        const std::vector<double>& weight, const EmergingCells& cells,
                        const EmergingOptions& opt) {
  return emerging(x, y, time_utc, weight, cells, opt, {});
}

std::string neighbourhood_time_problem(std::int64_t k, std::int64_t steps,
                                       const std::string& step_text) {
  return std::to_string(k) + " time step" + (k == 1 ? "" : "s") + " back reaches beyond the " +
         std::to_string(steps) + " time steps of " + step_text +
         " the incidents span: every bin's neighbourhood would hold the whole past. Use 0.." +
         std::to_string(std::max<std::int64_t>(steps - 1, 0)) + " steps (default 1, as ArcGIS)";
}

EmergingResult emerging(const std::vector<double>& x, const std::vector<double>& y,
                        const std::vector<std::int64_t>& time_utc,
                        const std::vector<double>& weight, const EmergingCells& cells,
                        const EmergingOptions& opt, const EmergingSumsFn& sums) {
  const std::size_t n = x.size();
  if (y.size() != n || time_utc.size() != n || (!weight.empty() && weight.size() != n) ||
      cells.centroid.size() != cells.polygon.size())
    throw InternalError("emerging: column lengths differ");
  if (opt.neighbourhood_time < 0)
    throw ParameterError("neighbourhood_time", "must be >= 0 time steps (got " +
                                                   std::to_string(opt.neighbourhood_time) + ")");
  if (!(opt.alpha > 0 && opt.alpha < 1))
    throw ParameterError("alpha",
                         "must be between 0 and 1 (got " + std::to_string(opt.alpha) + ")");
  if (!(opt.band_m >= 0) || !std::isfinite(opt.band_m))
    throw ParameterError("band", "must be > 0 m (got " + metres_text(opt.band_m) + ")");
  EmergingResult r;
  r.band_m = opt.band_m > 0 ? opt.band_m : 1.5 * cells.size_m;
  if (!(r.band_m > 0))
    throw ParameterError("band", "required for cells that are not a regular grid");
  const std::size_t nc = cells.polygon.size();
  if (nc < 2) throw InputError("emerging: " + std::to_string(nc) + " cell(s); use smaller cells");
  const StepBinning bins = bin_times(time_utc, opt.time_step, opt.utc_offset_minutes);
  const std::size_t steps = bins.steps();
  if (steps < kMinEmergingSteps)
    throw InputError("emerging: the incidents span " + std::to_string(steps) + " time step" +
                     (steps == 1 ? "" : "s") + " of " + time_step_text(opt.time_step) +
                     "; the Mann-Kendall trend needs at least " +
                     std::to_string(kMinEmergingSteps) + " (as ArcGIS requires). " +
                     suggest_time_step(time_utc, opt.utc_offset_minutes));
  if (static_cast<std::size_t>(opt.neighbourhood_time) >= steps)
    throw ParameterError(
        "neighbourhood_time",
        neighbourhood_time_problem(opt.neighbourhood_time, static_cast<std::int64_t>(steps),
                                   time_step_text(opt.time_step)));
  r.cells = nc;
  r.steps = steps;
  r.step_start_utc = bins.start_utc;

  // The cube and its Gi* sums: from tiles of cells somewhere else (hotspot.dask), or here as one
  // tile owning every cell, so both paths sum the same bins in the same order. The moments, z and
  // p here.
  EmergingSums got;
  if (sums) {
    got = sums(x, y, bins.step_of, weight, cells, steps, r.band_m, opt.neighbourhood_time);
  } else {
    std::vector<std::int32_t> every(nc);
    std::iota(every.begin(), every.end(), 0);
    got = emerging_tile(x, y, bins.step_of, weight, cells.polygon, cells.centroid, every, steps, r.band_m,
                        opt.neighbourhood_time, resolve_threads(opt.threads));
  }
  if (got.count.size() != nc * steps || got.running.size() != nc * steps || got.neighbours.size() != nc ||
      got.located < 0 || got.located > static_cast<std::int64_t>(n) || got.without_time < 0 ||
      got.without_time > got.located)
    throw InternalError("emerging: the tiles' sums do not fit the cube");
  std::vector<double>& cube = r.count;
  cube = std::move(got.count);
  r.outside = static_cast<std::int64_t>(n) - got.located;
  r.without_time = got.without_time;
  count_empty_steps(cube, nc, steps, r);
  GiStar gi = space_time_z(got.running, got.neighbours, steps, opt.neighbourhood_time, cube_moments(cube),
                           resolve_threads(opt.threads));
  CellPatterns patterns =
      classify_cells(cube, gi, nc, steps, opt.alpha, resolve_threads(opt.threads));
  r.gi_z = std::move(gi.z);
  r.gi_p = std::move(gi.p);
  r.category = std::move(patterns.category);
  r.gi_trend = std::move(patterns.gi_trend);
  r.count_trend = std::move(patterns.count_trend);
  r.hot_steps.assign(nc, 0);
  r.cold_steps.assign(nc, 0);
  for (std::size_t c = 0; c < nc; ++c) {
    for (std::size_t t = 0; t < steps; ++t) {
      const std::size_t b = t * nc + c;
      r.hot_steps[c] += r.gi_z[b] > 0 && r.gi_p[b] < opt.alpha;
      r.cold_steps[c] += r.gi_z[b] < 0 && r.gi_p[b] < opt.alpha;
    }
    ++r.cells_per_category[static_cast<std::size_t>(r.category[c])];
  }
  return r;
}

Emerging classify_emerging(const double* z, const double* p, std::size_t steps, double alpha,
                           const MannKendall& trend) {
  if (steps == 0) return Emerging::kNoPattern;
  auto hot = [&](std::size_t t) { return z[t] > 0 && p[t] < alpha; };
  auto cold = [&](std::size_t t) { return z[t] < 0 && p[t] < alpha; };
  // One side's patterns; `same` marks that side's significant bins, `other` the opposite side's.
  auto side = [&](auto same, auto other, Emerging base) -> Emerging {
    auto at = [&](int offset) { return static_cast<Emerging>(static_cast<int>(base) + offset); };
    std::size_t count = 0;
    for (std::size_t t = 0; t < steps; ++t) count += same(t);
    const bool mostly = static_cast<double>(count) >= 0.9 * static_cast<double>(steps);
    const std::size_t last = steps - 1;
    if (!same(last)) return mostly ? at(7) : Emerging::kNoPattern;  // historical
    if (mostly) {
      const bool significant = trend.p_value < alpha;
      // Intensity of clustering: the z-scores grow (hot) or fall (cold) in magnitude.
      const bool stronger = base == Emerging::kNewHot ? trend.z > 0 : trend.z < 0;
      if (significant && stronger) return at(2);   // intensifying
      if (significant && !stronger) return at(4);  // diminishing
      return at(3);                                // persistent
    }
    if (count == 1) return at(0);  // new: only the final step
    std::size_t run = 0;
    while (run < steps && same(last - run)) ++run;
    if (run == count) return at(1);  // consecutive: one run of >= 2, ending now, nothing before
    for (std::size_t t = 0; t < last; ++t)
      if (other(t)) return at(6);  // oscillating: was on the other side before
    return at(5);                  // sporadic
  };
  Emerging h = side(hot, cold, Emerging::kNewHot);
  if (h != Emerging::kNoPattern) return h;
  return side(cold, hot, Emerging::kNewCold);
}

const char* emerging_name(Emerging e) {
  switch (e) {
    case Emerging::kNoPattern:
      return "No Pattern Detected";
    case Emerging::kNewHot:
      return "New Hot Spot";
    case Emerging::kConsecutiveHot:
      return "Consecutive Hot Spot";
    case Emerging::kIntensifyingHot:
      return "Intensifying Hot Spot";
    case Emerging::kPersistentHot:
      return "Persistent Hot Spot";
    case Emerging::kDiminishingHot:
      return "Diminishing Hot Spot";
    case Emerging::kSporadicHot:
      return "Sporadic Hot Spot";
    case Emerging::kOscillatingHot:
      return "Oscillating Hot Spot";
    case Emerging::kHistoricalHot:
      return "Historical Hot Spot";
    case Emerging::kNewCold:
      return "New Cold Spot";
    case Emerging::kConsecutiveCold:
      return "Consecutive Cold Spot";
    case Emerging::kIntensifyingCold:
      return "Intensifying Cold Spot";
    case Emerging::kPersistentCold:
      return "Persistent Cold Spot";
    case Emerging::kDiminishingCold:
      return "Diminishing Cold Spot";
    case Emerging::kSporadicCold:
      return "Sporadic Cold Spot";
    case Emerging::kOscillatingCold:
      return "Oscillating Cold Spot";
    case Emerging::kHistoricalCold:
      return "Historical Cold Spot";
  }
  return "No Pattern Detected";
}

EmergingCells emerging_cells(const std::vector<MultiPolygon>& communes, const GridSpec& spec,
                             const std::vector<double>& x, const std::vector<double>& y) {
  std::vector<XY> pts(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) pts[i] = {x[i], y[i]};
  if (communes.empty() && pts.size() < 3)
    throw InputError("emerging: needs at least 3 incidents (" + std::to_string(pts.size()) +
                     " accepted)");
  const MultiPolygon area = study_area(communes, pts, spec.size_m / 2);
  pts = {};
  CellGrid grid = make_grid(area, spec, x, y, {});
  return {std::move(grid.cells), std::move(grid.centroid), spec.size_m};
}

}  // namespace hotspot
