#pragma once
// hotspot evaluate: a rolling-origin backtest of hotspot maps ("which map predicts next week?").
// Implemented in src/evaluate/.
//
// Grid. Square cells of `cell_m` on the lattice of integer multiples of the cell size (cell (i, j)
// covers [i·c, (i+1)·c) × [j·c, (j+1)·c)), clipped to the study area; cells are numbered by (j, i)
// ascending (south to north, then west to east) and that number is the cell id. An incident
// belongs to the cell whose clipped square holds it; incidents outside the study area are counted
// and left out.
//
// Folds. D is the local date of the last incident. Fold k (1 = most recent) tests the days
// [D − k·T + 1, D − (k−1)·T] and trains on the R days just before them (T = test_days,
// R = train_days), whole local days. A method scores every cell from the fold's training incidents
// only; cells are ranked by score (descending; NaN last), ties by cell id.
//
// Measures, per fold and coverage c %: the top-ranked cells are flagged until their clipped area
// reaches c % of the study area (the sum of the cells' clipped areas);
//   hit rate = test incidents in flagged cells / test incidents,
//   PAI      = hit rate / (c / 100),
//   PEI      = hit rate / the hit rate of the same flagging with the cells ranked by their test
//              counts (the best any ranking could do on that fold),
//   RRI      = Levine's recapture rate index (n₂/n₁)/(N₂/N₁) in fold k's flagged cells, period 1
//              the test period of fold k+1 (the T days before fold k's test), period 2 fold k's
//              test period; NaN when n₁ = 0. Defined for folds 1 .. F−1.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "hotspot/geometry.hpp"
#include "hotspot/window.hpp"

namespace hotspot {

struct EvalMethod {
  enum class Kind { kNaive, kKde, kProspective, kGi };
  Kind kind = Kind::kNaive;
  double bandwidth_m = 0;  // kde only; 0: ArcGIS's spatial Silverman rule on the training points
  std::string name;        // "naive", "kde", "kde:300", "prospective", "gi"
};

// "naive,kde,kde:300,prospective,gi"; throws ParameterError("methods") for anything else or a
// method named twice.
std::vector<EvalMethod> parse_eval_methods(const std::string& text);
// "12w" / "7d" -> days; throws ParameterError(parameter) unless a whole number of days >= 1.
int parse_period_days(const std::string& text, const char* parameter);
// "0.5,1,2,5" -> percentages; throws ParameterError("coverage") unless each is in (0, 100].
std::vector<double> parse_coverages(const std::string& text);

struct EvaluateOptions {
  double cell_m = 100;  // DEFAULT: 100. REQUIRES: > 0
  int train_days = 84;  // DEFAULT: 12 weeks. REQUIRES: >= 1
  int test_days = 7;    // DEFAULT: 1 week. REQUIRES: >= 1
  int folds = 12;       // DEFAULT: 12. REQUIRES: 1..1000
  std::vector<double> coverage_pct = {0.5, 1, 2, 5, 10, 20};  // DEFAULT: as shown
  std::vector<EvalMethod> methods = parse_eval_methods("naive,kde,prospective,gi");
  // Prospective hot-spotting (Bowers, Johnson & Pease 2004) with open_cp's ProspectiveHotSpot
  // and ClassicWeight: score(cell) = Σ 1 / ((1 + d)(1 + t)) over training incidents with d < space
  // and t < time, d the l∞ distance in cells between the incident's cell and this one, t the
  // whole weeks between the incident and the start of the test period.
  int prospective_space_cells = 8;  // DEFAULT: 8 (open_cp's 400 m / 50 m)
  int prospective_time_weeks = 8;   // DEFAULT: 8
  // A fold with fewer training (test) incidents is refused: InputError naming the fold, its days
  // and counts. DEFAULT: 10 and 1.
  std::int64_t min_train_incidents = 10, min_test_incidents = 1;
  std::int64_t max_cells = 2'000'000;  // DEFAULT: 2 million cells on the study area's lattice
  int threads = 0;                     // KDE threads; DEFAULT: all cores. Results never depend on it
};

// The study-area grid.
struct EvalGrid {
  double cell_m = 0;
  std::vector<std::int64_t> i, j;  // lattice column and row of each cell, in id order
  std::vector<double> area_m2;     // clipped
  std::vector<char> clipped;       // 1 when the study area's boundary cuts the cell
  std::vector<MultiPolygon> geom;  // clipped cells
  double study_area_m2 = 0;        // Σ area_m2
  std::int64_t i0 = 0, j0 = 0, ni = 0, nj = 0;  // the lattice window: columns i0 .., rows j0 ..
  std::vector<std::int32_t> slot;               // lattice (j − j0)·ni + (i − i0) -> cell id or −1
};
// Throws ParameterError("cell") for a bad size or a lattice over max_cells.
EvalGrid make_eval_grid(const MultiPolygon& study_area, double cell_m, std::int64_t max_cells);
// The cell of each point, or −1 outside the study area.
std::vector<std::int32_t> locate_cells(const EvalGrid& g, const std::vector<double>& x,
                                       const std::vector<double>& y);

// A method's score for every cell from the given (training) incidents: their cells and times.
// predict_utc is the start of the test period (prospective's "now").
std::vector<double> score_cells(const EvalGrid& g, const EvalMethod& m,
                                const std::vector<double>& x, const std::vector<double>& y,
                                const std::vector<std::int32_t>& cell,
                                const std::vector<std::int64_t>& time_utc,
                                std::int64_t predict_utc, const EvaluateOptions& o);
// Number of cells flagged at `coverage_pct` when cells are taken in `order`.
std::size_t flagged_cells(const EvalGrid& g, const std::vector<std::int32_t>& order,
                          double coverage_pct);
// Cell ids by score descending (NaN last), ties by id.
std::vector<std::int32_t> rank_cells(const std::vector<double>& score);

struct EvalFold {
  int fold = 0;  // 1 = most recent
  std::string train_from, train_to, test_from, test_to;  // local YYYY-MM-DD, inclusive
  std::int64_t train_incidents = 0, test_incidents = 0;
};

struct EvalRow {  // one method, coverage and fold
  std::string method;
  double coverage_pct = 0;
  int fold = 0;
  double hit_rate = 0, pai = 0, pei = 0;
  double rri = std::numeric_limits<double>::quiet_NaN();  // NaN for the oldest fold
  double flagged_area_pct = 0;                             // the flagged cells' share of the area
  std::int64_t flagged_cells = 0;
};

struct EvalStat {  // over the folds; NaN values are left out; sd with n − 1 (NaN for n < 2)
  double mean = 0, sd = 0, min = 0, max = 0;
  int n = 0;
};
struct EvalSummary {
  std::string method;
  double coverage_pct = 0;
  EvalStat hit_rate, pai, pei, rri;
};

struct EvaluateResult {
  EvaluateOptions options;
  std::int64_t incidents_read = 0;     // given to evaluate
  std::int64_t without_time = 0;       // left out: no time
  std::int64_t outside = 0;            // left out: outside the study area
  std::int64_t outside_window = 0;     // left out: not in the window (run_evaluate_job)
  std::int64_t used = 0;               // read − without_time − outside
  std::int64_t cells = 0;
  double study_area_km2 = 0;           // on planar data: (1000 data units)²
  bool planar = false;                 // lengths in data units (no CRS); set by the caller
  std::string last_date;               // D
  std::vector<EvalFold> folds;
  std::vector<EvalRow> rows;           // method, coverage, fold order
  std::vector<EvalSummary> summary;    // method, coverage order
  // "At 5 % of the area, kde catches 31.2 % of a week's incidents (mean of 12 folds), 4.1 points
  // more than naive." (the coverage nearest 5 %).
  std::string recommendation;
  std::string best_method;
  double margin_points = 0;
  std::vector<std::string> warnings;
};

// The backtest. `time_utc` holds UTC seconds or kNoTime; local dates use utc_offset_minutes.
// Throws ParameterError for bad options, InputError (exit 3) when fewer folds are possible than
// asked or a fold has too few incidents, with the numbers.
EvaluateResult evaluate(const std::vector<double>& x, const std::vector<double>& y,
                        const std::vector<std::int64_t>& time_utc, int utc_offset_minutes,
                        const MultiPolygon& study_area, const EvaluateOptions& options);

// hotspot evaluate --config: the run configuration's inputs are loaded as hotspot run loads them
// (working CRS, local time), the window's incidents kept, the backtest run, and the outputs written:
// `out` (a GeoPackage with the tables evaluation, evaluation_summary and run_metadata) and `plot`.
// Nothing is written when the backtest fails.
struct EvaluateJob {
  std::string config;  // REQUIRES: a run configuration (schemas/run.schema.json)
  EvaluateOptions options;
  TimeWindow window;                    // DEFAULT: every incident
  std::vector<std::string> categories;  // DEFAULT: all
  // A kde or local analysis of the configuration with this "name": its window and categories
  // are used. DEFAULT: none. REQUIRES: empty window and categories above when given.
  std::string window_name;
  std::string out, plot;                // DEFAULT: none
  bool overwrite = false;
  int threads = -1;  // DEFAULT: the configuration's
  std::string command_line;
};
EvaluateResult run_evaluate_job(const EvaluateJob& job);

// Renderings: a table for people, CSV of the rows (RFC 4180, CRLF), JSON following
// schemas/evaluate.schema.json.
std::string format_eval_table(const EvaluateResult& r);
std::string format_eval_csv(const EvaluateResult& r);
std::string format_eval_json(const EvaluateResult& r);
// Hit rate against coverage, one line per method (the mean) with its band (min..max over the
// folds), as a PNG drawn with cairo. Throws IoError when the file cannot be written.
void plot_evaluation(const EvaluateResult& r, const std::string& png_path);

}  // namespace hotspot
