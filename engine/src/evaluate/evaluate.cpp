// hotspot evaluate, the backtest: folds back from the last incident date, each method scored on
// the fold's training incidents, the measures on its test incidents, and their summary.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>

#include "hotspot/error.hpp"
#include "hotspot/evaluate.hpp"
#include "hotspot/ingest.hpp"
#include "hotspot/window.hpp"

namespace hotspot {

namespace {

EvalStat stat_of(const std::vector<double>& v) {
  EvalStat s;
  double sum = 0;
  s.min = std::numeric_limits<double>::infinity(), s.max = -s.min;
  for (double x : v)
    if (!std::isnan(x)) ++s.n, sum += x, s.min = std::min(s.min, x), s.max = std::max(s.max, x);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (s.n == 0) return {nan, nan, nan, nan, 0};
  s.mean = sum / s.n;
  double ss = 0;
  for (double x : v)
    if (!std::isnan(x)) ss += (x - s.mean) * (x - s.mean);
  s.sd = s.n > 1 ? std::sqrt(ss / (s.n - 1)) : nan;
  return s;
}

std::string pct_text(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", 100 * v);
  return b;
}

}  // namespace

int parse_period_days(const std::string& text, const char* parameter) {
  char* end = nullptr;
  const long n = std::strtol(text.c_str(), &end, 10);
  const std::string unit = end ? std::string(end) : "";
  if (text.empty() || end == text.c_str() || n < 1 || n > 100000 || (unit != "d" && unit != "w"))
    throw ParameterError(parameter, "'" + text + "': expected days or weeks, e.g. 7d or 12w");
  return static_cast<int>(unit == "w" ? 7 * n : n);
}

std::vector<double> parse_coverages(const std::string& text) {
  std::vector<double> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    const std::string item = text.substr(start, comma - start);
    char* end = nullptr;
    const double v = std::strtod(item.c_str(), &end);
    if (item.empty() || *end || !(v > 0 && v <= 100))
      throw ParameterError("coverage", "'" + item + "': expected a percentage in (0, 100], e.g. 0.5,1,5");
    out.push_back(v);
    start = comma + 1;
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

EvaluateResult evaluate(const std::vector<double>& x, const std::vector<double>& y,
                        const std::vector<std::int64_t>& time_utc, int off,
                        const MultiPolygon& study_area, const EvaluateOptions& o) {
  if (o.train_days < 1) throw ParameterError("train", "must be at least 1 day");
  if (o.test_days < 1) throw ParameterError("test", "must be at least 1 day");
  if (o.folds < 1 || o.folds > 1000) throw ParameterError("folds", "must be 1..1000");
  if (o.methods.empty()) throw ParameterError("methods", "name at least one method");
  if (o.coverage_pct.empty()) throw ParameterError("coverage", "give at least one coverage");
  EvaluateResult r;
  r.options = o;
  r.incidents_read = static_cast<std::int64_t>(x.size());
  const EvalGrid g = make_eval_grid(study_area, o.cell_m, o.max_cells);
  r.cells = static_cast<std::int64_t>(g.i.size());
  r.study_area_km2 = g.study_area_m2 / 1e6;

  // The incidents used, by time.
  const std::vector<std::int32_t> all_cells = locate_cells(g, x, y);
  std::vector<std::size_t> use;
  for (std::size_t k = 0; k < x.size(); ++k) {
    if (time_utc[k] == kNoTime) ++r.without_time;
    else if (all_cells[k] < 0) ++r.outside;
    else use.push_back(k);
  }
  r.used = static_cast<std::int64_t>(use.size());
  if (use.empty())
    throw InputError("evaluate: no incident with a time inside the study area (" +
                     std::to_string(r.incidents_read) + " read, " + std::to_string(r.without_time) +
                     " without a time, " + std::to_string(r.outside) + " outside)");
  std::stable_sort(use.begin(), use.end(), [&](std::size_t a, std::size_t b) { return time_utc[a] < time_utc[b]; });
  std::vector<std::int64_t> day(use.size());
  for (std::size_t k = 0; k < use.size(); ++k) day[k] = local_day(time_utc[use[k]], off);
  const std::int64_t first = day.front(), last = day.back();
  r.last_date = day_text(last);

  // Folds possible: the oldest training period must start on or after the first incident date.
  const std::int64_t span = last - first + 1;
  const std::int64_t possible = span < o.train_days ? 0 : (span - o.train_days) / o.test_days;
  if (possible < o.folds)
    throw InputError("evaluate: " + std::to_string(o.folds) + " folds asked, " + std::to_string(possible) +
                     " possible: the incidents span " + std::to_string(span) + " days (" + day_text(first) +
                     " .. " + day_text(last) + "), and each fold needs " + std::to_string(o.train_days) +
                     " training days before its " + std::to_string(o.test_days) +
                     " test days; ask fewer --folds or shorter --train/--test");
  // Index ranges [a, b) of the incidents of days [d0, d1].
  auto range = [&](std::int64_t d0, std::int64_t d1) {
    const auto a = std::lower_bound(day.begin(), day.end(), d0) - day.begin();
    const auto b = std::upper_bound(day.begin(), day.end(), d1) - day.begin();
    return std::pair<std::size_t, std::size_t>(static_cast<std::size_t>(a), static_cast<std::size_t>(b));
  };

  // Test counts per cell of every fold, and one more period for the oldest fold's RRI.
  const int F = o.folds;
  std::vector<std::vector<double>> test_count(static_cast<std::size_t>(F) + 1, std::vector<double>(g.i.size(), 0.0));
  std::vector<std::int64_t> test_total(static_cast<std::size_t>(F) + 1, 0);
  for (int k = 1; k <= F + 1; ++k) {
    const std::int64_t t1 = last - static_cast<std::int64_t>(k - 1) * o.test_days, t0 = t1 - o.test_days + 1;
    const auto [a, b] = range(t0, t1);
    for (std::size_t q = a; q < b; ++q) test_count[static_cast<std::size_t>(k - 1)][static_cast<std::size_t>(all_cells[use[q]])] += 1;
    test_total[static_cast<std::size_t>(k - 1)] = static_cast<std::int64_t>(b - a);
  }

  // flagged[m][c][k]: the flagged cells of method m, coverage c, fold k (for the RRI).
  const std::size_t M = o.methods.size(), C = o.coverage_pct.size();
  std::vector<std::vector<std::vector<std::vector<std::int32_t>>>> flagged(
      M, std::vector<std::vector<std::vector<std::int32_t>>>(C, std::vector<std::vector<std::int32_t>>(static_cast<std::size_t>(F))));
  std::vector<std::vector<std::vector<EvalRow>>> rows(M, std::vector<std::vector<EvalRow>>(C));
  for (int k = 1; k <= F; ++k) {
    EvalFold fold;
    fold.fold = k;
    const std::int64_t t1 = last - static_cast<std::int64_t>(k - 1) * o.test_days, t0 = t1 - o.test_days + 1;
    const std::int64_t r1 = t0 - 1, r0 = t0 - o.train_days;
    fold.test_from = day_text(t0), fold.test_to = day_text(t1);
    fold.train_from = day_text(r0), fold.train_to = day_text(r1);
    const auto [ta, tb] = range(r0, r1);
    fold.train_incidents = static_cast<std::int64_t>(tb - ta);
    fold.test_incidents = test_total[static_cast<std::size_t>(k - 1)];
    if (fold.train_incidents < o.min_train_incidents || fold.test_incidents < o.min_test_incidents)
      throw InputError("evaluate: fold " + std::to_string(k) + " has " + std::to_string(fold.train_incidents) +
                       " training incidents (" + fold.train_from + " .. " + fold.train_to + ", at least " +
                       std::to_string(o.min_train_incidents) + " needed) and " +
                       std::to_string(fold.test_incidents) + " test incidents (" + fold.test_from + " .. " +
                       fold.test_to + ", at least " + std::to_string(o.min_test_incidents) +
                       " needed); ask fewer --folds or a longer --train/--test");
    r.folds.push_back(fold);
    // The training incidents only: nothing of the test period reaches a method.
    std::vector<double> tx, ty;
    std::vector<std::int32_t> tc;
    std::vector<std::int64_t> tt;
    for (std::size_t q = ta; q < tb; ++q) {
      const std::size_t i = use[q];
      tx.push_back(x[i]), ty.push_back(y[i]), tc.push_back(all_cells[i]), tt.push_back(time_utc[i]);
    }
    const std::int64_t predict_utc = t0 * 86400 - static_cast<std::int64_t>(off) * 60;
    const std::vector<double>& truth = test_count[static_cast<std::size_t>(k - 1)];
    const std::vector<std::int32_t> best_order = rank_cells(truth);
    const double n_test = static_cast<double>(fold.test_incidents);
    for (std::size_t m = 0; m < M; ++m) {
      const std::vector<std::int32_t> order = rank_cells(score_cells(g, o.methods[m], tx, ty, tc, tt, predict_utc, o));
      for (std::size_t c = 0; c < C; ++c) {
        const double cov = o.coverage_pct[c];
        const std::size_t nf = flagged_cells(g, order, cov), nb = flagged_cells(g, best_order, cov);
        double hits = 0, best = 0, area = 0;
        for (std::size_t q = 0; q < nf; ++q) {
          hits += truth[static_cast<std::size_t>(order[q])];
          area += g.area_m2[static_cast<std::size_t>(order[q])];
        }
        for (std::size_t q = 0; q < nb; ++q) best += truth[static_cast<std::size_t>(best_order[q])];
        EvalRow row;
        row.method = o.methods[m].name, row.coverage_pct = cov, row.fold = k;
        row.hit_rate = hits / n_test;
        row.pai = row.hit_rate / (cov / 100.0);
        row.pei = best > 0 ? hits / best : std::numeric_limits<double>::quiet_NaN();
        row.flagged_cells = static_cast<std::int64_t>(nf);
        row.flagged_area_pct = 100.0 * area / g.study_area_m2;
        // RRI: this fold's flagged cells, period 1 the test period before (fold k+1's).
        const std::vector<double>& before = test_count[static_cast<std::size_t>(k)];
        double n1 = 0;
        for (std::size_t q = 0; q < nf; ++q) n1 += before[static_cast<std::size_t>(order[q])];
        const double N1 = static_cast<double>(test_total[static_cast<std::size_t>(k)]);
        if (k < F && n1 > 0 && N1 > 0) row.rri = (hits / n1) / (n_test / N1);
        rows[m][c].push_back(row);
      }
    }
  }

  for (std::size_t m = 0; m < M; ++m)
    for (std::size_t c = 0; c < C; ++c) {
      std::vector<double> h, p, e, q;
      for (const auto& row : rows[m][c]) {
        r.rows.push_back(row);
        h.push_back(row.hit_rate), p.push_back(row.pai), e.push_back(row.pei), q.push_back(row.rri);
      }
      r.summary.push_back({o.methods[m].name, o.coverage_pct[c], stat_of(h), stat_of(p), stat_of(e), stat_of(q)});
    }

  // The recommendation: the best mean hit rate at the coverage nearest 5 %.
  std::size_t c5 = 0;
  for (std::size_t c = 1; c < C; ++c)
    if (std::abs(o.coverage_pct[c] - 5) < std::abs(o.coverage_pct[c5] - 5)) c5 = c;
  std::vector<const EvalSummary*> at;
  for (const auto& s : r.summary)
    if (s.coverage_pct == o.coverage_pct[c5]) at.push_back(&s);
  std::stable_sort(at.begin(), at.end(), [](const EvalSummary* a, const EvalSummary* b) { return a->hit_rate.mean > b->hit_rate.mean; });
  char cov[32];
  std::snprintf(cov, sizeof cov, "%g", o.coverage_pct[c5]);
  const std::string period = o.test_days == 7       ? "week"
                             : o.test_days % 7 == 0 ? std::to_string(o.test_days / 7) + "-week period"
                                                    : std::to_string(o.test_days) + "-day period";
  r.best_method = at.front()->method;
  r.recommendation = "At " + std::string(cov) + " % of the area, " + r.best_method + " catches " +
                     pct_text(at.front()->hit_rate.mean) + " % of a " + period + "'s incidents (mean of " +
                     std::to_string(F) + " folds)";
  if (at.size() > 1) {
    r.margin_points = 100 * (at[0]->hit_rate.mean - at[1]->hit_rate.mean);
    char b[64];
    std::snprintf(b, sizeof b, "%.1f", r.margin_points);
    r.recommendation += ", " + std::string(b) + " points more than " + at[1]->method + " (next best)";
    if (F > 1 && r.margin_points / 100 < at[0]->hit_rate.sd)
      r.recommendation += "; the margin is smaller than the spread over the folds";
  }
  r.recommendation += ".";
  return r;
}

}  // namespace hotspot
