// The preflights of jobs/budget.hpp: each analysis' memory and work from the loaded inputs'
// counts and extents, before it allocates.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "hotspot/error.hpp"
#include "hotspot/window.hpp"
#include "jobs/budget.hpp"
#include "jobs/load.hpp"
#include "stats/emerging.hpp"
#include "util/parallel.hpp"
#include "util/text.hpp"
#include "util/time.hpp"

namespace hotspot {

namespace {

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

Box incidents_box(const Incidents& inc) {
  Box b;
  for (std::size_t i = 0; i < inc.size(); ++i) b.expand(XY{inc.x[i], inc.y[i]});
  return b;
}


std::string extent_text(const Box& b, bool planar) {
  if (planar) return num(b.xmax - b.xmin) + " × " + num(b.ymax - b.ymin) + " data units";
  return num((b.xmax - b.xmin) / 1000) + " × " + num((b.ymax - b.ymin) / 1000) + " km";
}

// Bytes per generated grid cell: the polygon (7 vertices), its centroid, id and counts.
constexpr double kGridCellBytes = 400;

void require_grid(const Box& area, const GridSpec& spec, bool planar, std::uint64_t budget) {
  const double cells = grid_cells(area, spec.size_m, spec.shape == CellShape::kHex);
  const std::string unit = std::string(" ") + length_unit(planar);
  require_memory("grid", cells * kGridCellBytes, budget,
                 "a grid of about " + count_text(cells) + " cells of " + num(spec.size_m) + unit +
                     " over " + extent_text(area, planar),
                 "Use a larger cell size (at least " +
                     with_unit(std::ceil(spec.size_m * std::sqrt(cells * kGridCellBytes /
                                                                 static_cast<double>(budget))),
                               length_unit(planar)) +
                     " fits) or raise --max-memory.");
}

// Links of `spec` on n units spread evenly over `area` (the preflight's guess before the units
// exist; require_local_weights counts them on the units).
double uniform_links(double n, const Box& area, const WeightsSpec& spec) {
  switch (spec.kind) {
    case WeightsKind::kKnn: return n * std::min<double>(spec.k, n - 1);
    case WeightsKind::kBand: {
      const double a = std::max((area.xmax - area.xmin) * (area.ymax - area.ymin), 1e-300);
      return n * std::min(n - 1, n * M_PI * spec.band_m * spec.band_m / a);
    }
    default: return 6 * n;
  }
}

void require_links(double links, double n, const std::string& spec, int permutations,
                   std::uint64_t budget) {
  require_memory("weights", weights_bytes(links, n), budget,
                 spec + " on " + count_text(n) + " units (about " + count_text(links) + " links)",
                 "Use a shorter band or fewer neighbours, or raise --max-memory.");
  require_work("permutations", permutation_work(links, n, permutations), kMaxWork,
               count_text(permutations) + " permutations of " + count_text(n) + " units with " +
                   num(links / std::max(n, 1.0)) + " neighbours each",
               "Use fewer --permutations (999 is the usual choice), or permutations 0 for "
               "analytic p-values.");
}

}  // namespace

void refuse_degree_like(double length, const char* parameter, const Crs& work) {
  if (work.geographic())
    throw CrsError("the working CRS " + work.label() +
                   " is in degrees; choose a projected --work-crs");
  if (work.metres && length > 0 && length < kMinLengthM)
    throw ParameterError(parameter,
                         num(length) +
                             " m looks like degrees; lengths are in metres of the working CRS " +
                             work.label() + " (at least " + num(kMinLengthM) + " m)");
}

Box study_extent(const LoadedInputs& in) {
  Box b;
  for (const auto& g : in.communes.geom) {
    const Box c = bounds(g);
    b.expand(XY{c.xmin, c.ymin}), b.expand(XY{c.xmax, c.ymax});
  }
  return b.empty() ? incidents_box(in.incidents) : b;
}

void require_kde_grid(std::int64_t cols, std::int64_t rows, double cell_m, bool masked,
                      std::size_t points, double support_m, bool planar, std::uint64_t budget) {
  const double cells = static_cast<double>(cols) * static_cast<double>(rows);
  const double need = kde_bytes(cells, masked);
  const std::string unit = std::string(" ") + length_unit(planar);
  const std::string what = "a density grid of " + count_text(static_cast<double>(cols)) + " × " +
                           count_text(static_cast<double>(rows)) + " cells of " + num(cell_m) +
                           unit + " (" + count_text(cells) + " cells)";
  require_memory(
      "cell_size", need, budget, what,
      "Use a larger --cell-size (at least " +
          with_unit(std::ceil(cell_m * std::sqrt(need / static_cast<double>(budget)) * 10) / 10,
                    length_unit(planar)) +
          " fits) or raise --max-memory.");
  // Each point adds its kernel to the cells of its support disc.
  const double disc = M_PI * (support_m / cell_m) * (support_m / cell_m);
  require_work("cell_size", static_cast<double>(points) * std::min(disc, cells), kMaxWork,
               what + " with a support radius of " + num(support_m) + unit + " over " +
                   count_text(static_cast<double>(points)) + " incidents",
               "Use a larger --cell-size or a smaller --bandwidth.");
}

void kde_preflight(const LoadedInputs& in, const KdeStepOptions& o) {
  if (!(o.cell_m > 0) || in.incidents.size() == 0) return;
  Box b = o.extent ? *o.extent
          : o.mask.kind == KdeMask::Kind::kCommunes && in.communes.size() > 0
              ? study_extent(in)
              : incidents_box(in.incidents);
  if (!o.extent && o.bandwidth.rule == BandwidthRule::kGiven) {
    const double h = o.bandwidth.metres;
    b = {b.xmin - h, b.ymin - h, b.xmax + h, b.ymax + h};
  }
  const double cols = std::ceil((b.xmax - b.xmin) / o.cell_m),
               rows = std::ceil((b.ymax - b.ymin) / o.cell_m);
  if (!(cols >= 1 && rows >= 1) || cols * rows > 9e18) return;  // the grid rule refuses these
  const double support = o.bandwidth.rule == BandwidthRule::kGiven
                             ? o.bandwidth.metres * kernel_support(o.kernel)
                             : 0;
  require_kde_grid(static_cast<std::int64_t>(cols), static_cast<std::int64_t>(rows), o.cell_m,
                   o.mask.kind != KdeMask::Kind::kNone, in.incidents.size(), support,
                   in.work_crs.planar(), in.max_memory);
}

void require_local_weights(const std::vector<XY>& xy, const WeightsSpec& spec, int permutations,
                           std::uint64_t budget) {
  const double n = static_cast<double>(xy.size());
  Box b;
  for (const XY& p : xy) b.expand(p);
  // A band at least the diagonal is refused by build_weights (every unit a neighbour of all).
  if (spec.kind == WeightsKind::kBand &&
      spec.band_m >= std::hypot(b.xmax - b.xmin, b.ymax - b.ymin))
    return;
  const double links = spec.kind == WeightsKind::kBand ? band_links(xy, spec.band_m)
                                                       : uniform_links(n, b, spec);
  require_links(links, n, weights_spec_text(spec), permutations, budget);
}

void local_preflight(const LoadedInputs& in, const LocalOptions& o) {
  if (o.units_source == UnitsSource::kGrid && !o.grid_auto)
    refuse_degree_like(o.grid.size_m, "grid", in.work_crs);
  if (o.weights_given && o.weights.kind == WeightsKind::kBand)
    refuse_degree_like(o.weights.band_m, "weights", in.work_crs);
  double n = 0;
  Box area = study_extent(in);
  if (o.units_source == UnitsSource::kGrid) {
    if (o.grid_auto || !(o.grid.size_m > 0)) return;  // sized from the data: a few per incident
    require_grid(area, o.grid, in.work_crs.planar(), in.max_memory);
    n = grid_cells(area, o.grid.size_m, o.grid.shape == CellShape::kHex);
  } else if (o.units_source == UnitsSource::kCommunes) {
    n = static_cast<double>(in.communes.size());
  }
  if (n < 2 || !o.weights_given) return;
  if (o.weights.kind == WeightsKind::kBand &&
      o.weights.band_m >= std::hypot(area.xmax - area.xmin, area.ymax - area.ymin))
    return;  // refused by build_weights, with a suggested range
  require_links(uniform_links(n, area, o.weights), n, weights_spec_text(o.weights),
                o.stats.permutations, in.max_memory);
}

void emerging_preflight(const LoadedInputs& in, const EmergingStepOptions& o) {
  refuse_degree_like(o.cell_size_m, "grid", in.work_crs);
  refuse_degree_like(o.emerging.band_m, "band", in.work_crs);
  if (!(o.cell_size_m > 0) || in.incidents.size() == 0) return;
  const Box area = study_extent(in);
  const bool planar = in.work_crs.planar();
  const double diagonal = std::hypot(area.xmax - area.xmin, area.ymax - area.ymin);
  if (o.emerging.band_m > 0 && diagonal > 0 && o.emerging.band_m >= diagonal)
    throw ParameterError(
        "band", with_unit(o.emerging.band_m, length_unit(planar)) +
                    " reaches across the whole study area (" + extent_text(area, planar) +
                    ", diagonal " + with_unit(diagonal, length_unit(planar)) +
                    "): every cell would be a neighbour of all the others. Use a band of a "
                    "few cells (default 1.5 × the cell size, " +
                    with_unit(1.5 * o.cell_size_m, length_unit(planar)) + ")");
  const GridSpec spec{o.square_cells ? CellShape::kSquare : CellShape::kHex, o.cell_size_m};
  require_grid(area, spec, in.work_crs.planar(), in.max_memory);
  const double cells = grid_cells(area, o.cell_size_m, !o.square_cells);

  const auto& t = in.incidents.time_utc;
  std::int64_t first = INT64_MAX, last = INT64_MIN;
  for (auto v : t)
    if (v != kNoTime) first = std::min(first, v), last = std::max(last, v);
  if (first > last) return;
  const TimeStep& ts = o.emerging.time_step;
  const double days = static_cast<double>(last - first) / 86400.0;
  const double unit_days = ts.unit == TimeStep::Unit::kDay    ? 1
                           : ts.unit == TimeStep::Unit::kWeek ? 7
                                                              : 30.436875;
  const double steps = std::floor(days / (unit_days * ts.count)) + 1;
  const int offset = o.emerging.utc_offset_minutes;
  auto date = [&](std::int64_t v) { return format_utc(v + std::int64_t{offset} * 60).substr(0, 10); };
  const std::string what = "the space-time cube of " + count_text(cells) + " cells of " +
                           num(o.cell_size_m) + " " + length_unit(in.work_crs.planar()) + " × " +
                           count_text(steps) + " time steps of " + o.time_step + " (" +
                           date(first) + " .. " + date(last) + ")";
  const std::string outliers = time_outliers(t, offset);
  const bool data = !outliers.empty();
  const std::string advice =
      data ? outliers + " stretches it: correct or remove it."
           : "Use a longer --time-step or a larger cell size, or raise --max-memory.";
  // stats/emerging.cpp checks the exact count of steps too; this estimate (a month of 30.4
  // days) may be one off, so only a neighbourhood clearly beyond the steps is refused here.
  if (static_cast<double>(o.emerging.neighbourhood_time) > steps)
    throw ParameterError("neighbourhood_time",
                         neighbourhood_time_problem(o.emerging.neighbourhood_time,
                                                    static_cast<std::int64_t>(steps), o.time_step));
  constexpr double kMaxSteps = 100000;  // stats/emerging.cpp refuses more
  if (steps > kMaxSteps) {
    const std::string m = what + " exceeds the limit of " + count_text(kMaxSteps) + " steps. " + advice;
    if (data) throw InputError("time_step: " + m);
    throw ParameterError("time_step", m);
  }
  require_memory("time_step", cube_bytes(cells, steps), in.max_memory, what, advice, data);
  require_work("time_step", cube_work(cells, steps), kMaxWork, what + " (its Mann-Kendall trends)", advice,
               data);
}

double knox_preflight(const LoadedInputs& in, const KnoxOptions& o) {
  if (o.space_bands.size() < 2 || o.time_bands_days.size() < 2) return 0;  // check_knox_options
  refuse_degree_like(o.space_bands.back(), "space_bands", in.work_crs);
  // The incidents knox_test counts: with a time, of the categories and dates asked for.
  const Incidents& inc = in.incidents;
  const std::vector<char> wanted = select_categories(inc.categories, o.categories);
  std::vector<XY> xy;
  for (std::size_t i = 0; i < inc.size(); ++i) {
    if (inc.time_utc[i] == kNoTime) continue;
    if (!wanted.empty() && (inc.category[i] == Dictionary::kNone || !wanted[inc.category[i]]))
      continue;
    if (!o.window.contains(inc.time_utc[i], o.utc_offset_minutes)) continue;
    xy.push_back({inc.x[i], inc.y[i]});
  }
  const double n = static_cast<double>(xy.size());
  if (n < 2) return 0;
  // Memory: the cell grid (positions, keys, order; about 100 bytes an incident), each thread's
  // eight shuffled lanes (32 bytes an incident) and the table of permuted times, which
  // knox_test keeps within times_budget_bytes by counting in passes.
  const double lanes = o.permutations + 1.0;
  const double table = std::min(4.0 * n * (std::ceil(lanes / 8) * 8),
                                std::max(static_cast<double>(o.times_budget_bytes), 32 * n));
  const double scratch = 32 * n * resolve_threads(o.threads);
  require_memory("max_memory", 100 * n + scratch + table, in.max_memory,
                 "near-repeat on " + count_text(n) + " incidents with " +
                     count_text(o.permutations) + " permutations",
                 "Filter the incidents (categories, from, to) or raise --max-memory.");
  // Work: every close pair compared in each time band for the observed times and each
  // permutation, against kMaxKnoxWork.
  const double pairs = band_links(xy, o.space_bands.back()) / 2;
  const double nt = static_cast<double>(o.time_bands_days.size() - 1);
  const double work = pairs * lanes * nt;
  const std::string reach = num(o.space_bands.back()) + " " + length_unit(in.work_crs.planar());
  require_work("permutations", work, kMaxKnoxWork,
               "near-repeat's " + count_text(o.permutations) + " permutations over about " +
                   count_text(pairs) + " pairs of incidents within " + reach + ", in " +
                   count_text(nt) + " time bands,",
               "Use fewer --permutations (99 or 999), a smaller largest space band, or fewer "
               "incidents (categories, from, to).");
  if (o.note && work > kLongKnoxWork)
    o.note("near-repeat: a long count, about " + count_text(work) + " comparisons (about " +
           count_text(pairs) + " pairs within " + reach + ", in " + count_text(nt) +
           " time bands, for the observed times and " + count_text(o.permutations) +
           " permutations); the limit is " + count_text(kMaxKnoxWork));
  return work;
}

}  // namespace hotspot
