// hotspot evaluate's engine: prospective scores against a direct transcription of open_cp's
// ProspectiveHotSpot.predict (ClassicWeight, DistanceDiagonalsSame), no test incident in any
// training period, the grid's lattice and clipping, and the refusals.
#include "hotspot/evaluate.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "hotspot/error.hpp"
#include "hotspot/ingest.hpp"
#include "util/time.hpp"

namespace hotspot {
namespace {

MultiPolygon rect(double x0, double y0, double x1, double y1) {
  return {Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}, {}}};
}

std::int64_t at(const std::string& date, int hh) { return local_midnight(date, 7 * 60, "t") + hh * 3600; }

TEST(EvaluateGrid, LatticeOfMultiplesClippedByArea) {
  const EvalGrid g = make_eval_grid(rect(130, 250, 420, 400), 100, 1000);
  // Columns 1..4, rows 2..3: 8 cells, ids by (row, column).
  ASSERT_EQ(g.i.size(), 8u);
  EXPECT_EQ(g.i[0], 1);
  EXPECT_EQ(g.j[0], 2);
  EXPECT_EQ(g.i[4], 1);
  EXPECT_EQ(g.j[4], 3);
  EXPECT_NEAR(g.area_m2[0], 70 * 50, 1e-9);   // [130,200] × [250,300]
  EXPECT_NEAR(g.area_m2[5], 100 * 100, 1e-9);  // [200,300] × [300,400]
  EXPECT_NEAR(g.study_area_m2, 290 * 150, 1e-6);
  const auto c = locate_cells(g, {150, 150, 425, 299.9}, {260, 240, 300, 399});
  EXPECT_EQ(c, (std::vector<std::int32_t>{0, -1, -1, 5}));
}

TEST(EvaluateGrid, ResourceBombRefused) {
  try {
    make_eval_grid(rect(0, 0, 100000, 100000), 1, 2'000'000);  // 100 001² lattice squares
    FAIL();
  } catch (const ParameterError& e) {
    EXPECT_EQ(e.parameter(), "cell");
    EXPECT_NE(e.problem().find("10000200001 lattice cells"), std::string::npos) << e.problem();
  }
}

TEST(EvaluateMethods, ProspectiveEqualsOpenCpTranscription) {
  const EvalGrid g = make_eval_grid(rect(0, 0, 2000, 1500), 50, 100000);
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> ux(0, 2000), uy(0, 1500), ut(0, 12 * 7 * 86400.0);
  const std::int64_t predict = at("2024-04-01", 0);
  std::vector<double> x, y;
  std::vector<std::int64_t> t;
  for (int k = 0; k < 400; ++k)
    x.push_back(ux(rng)), y.push_back(uy(rng)), t.push_back(predict - 1 - static_cast<std::int64_t>(ut(rng)));
  const auto cell = locate_cells(g, x, y);
  EvaluateOptions o;
  EvalMethod m;
  m.kind = EvalMethod::Kind::kProspective;
  const std::vector<double> got = score_cells(g, m, x, y, cell, t, predict, o);
  // open_cp: matrix[y][x] = Σ weight(floor((predict − t) / week), max(|gx − x|, |gy − y|)),
  // weight(dt, dd) = (dt < 8 and dd < 8) / ((1 + dd)(1 + dt)); gx = floor((x − xmin) / grid).
  const double xmin = static_cast<double>(g.i0) * 50, ymin = static_cast<double>(g.j0) * 50;
  double largest = 0;
  for (std::size_t c = 0; c < g.i.size(); ++c) {
    const double cx = static_cast<double>(g.i[c] - g.i0), cy = static_cast<double>(g.j[c] - g.j0);
    double want = 0;
    for (std::size_t k = 0; k < x.size(); ++k) {
      const double dt = std::floor(static_cast<double>(predict - t[k]) / (7 * 86400.0));
      const double gx = std::floor((x[k] - xmin) / 50), gy = std::floor((y[k] - ymin) / 50);
      const double dd = std::max(std::abs(gx - cx), std::abs(gy - cy));
      want += (dt < 8 && dd < 8) ? 1 / ((1 + dd) * (1 + dt)) : 0;
    }
    EXPECT_NEAR(got[c], want, 1e-12 * std::max(1.0, want)) << "cell " << c;
    largest = std::max(largest, want);
  }
  EXPECT_GT(largest, 1.0);  // the case exercises the weights
}

// Background incidents in training periods only; each fold's test incidents at a place that no
// earlier period holds. A method that saw a test incident would flag that place.
struct Case {
  std::vector<double> x, y;
  std::vector<std::int64_t> t;
};
Case leak_case(bool test_where_training_is) {
  Case c;
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0, 1);
  const std::int64_t first = days_from_civil(2024, 1, 1);
  for (int d = 0; d < 70; ++d) {
    const bool test_day = d >= 70 - 3 * 7;  // the 3 folds' test weeks
    const std::string date = format_utc((first + d) * 86400).substr(0, 10);
    for (int k = 0; k < 6; ++k) {
      const bool hot = k < 4;
      double x = hot ? 150 + 40 * u(rng) : 100 + 300 * u(rng), y = hot ? 150 + 40 * u(rng) : 100 + 300 * u(rng);
      if (test_day) {
        if (test_where_training_is) {
          x = 150 + 40 * u(rng), y = 150 + 40 * u(rng);
        } else {
          const int fold = (69 - d) / 7;  // 0 = most recent
          x = 3850 - 1000 * fold + 20 * u(rng), y = 1850 + 20 * u(rng);
        }
      }
      c.x.push_back(x), c.y.push_back(y), c.t.push_back(at(date, 10 + k));
    }
  }
  return c;
}

TEST(Evaluate, NoTestIncidentIsSeenInTraining) {
  EvaluateOptions o;
  o.cell_m = 100, o.train_days = 28, o.test_days = 7, o.folds = 3;
  o.coverage_pct = {1, 5};
  o.methods = parse_eval_methods("naive,kde:150,prospective,gi");
  // Test places 10 cells apart and 14 from the training area: beyond prospective's 8 cells.
  const MultiPolygon area = rect(0, 0, 4000, 2000);
  // Test incidents where no training period has any: every method misses all of them. (Fold k's
  // training holds the test weeks of the older folds, whose places are elsewhere.)
  Case c = leak_case(false);
  EvaluateResult r = evaluate(c.x, c.y, c.t, 7 * 60, area, o);
  ASSERT_EQ(r.folds.size(), 3u);
  for (const auto& f : r.folds) EXPECT_LT(f.train_to, f.test_from);
  for (const auto& row : r.rows) {
    if (row.coverage_pct == 1) {
      EXPECT_EQ(row.hit_rate, 0) << row.method << " fold " << row.fold;
    }
  }
  // The control: the same test incidents where training incidents were are all caught.
  c = leak_case(true);
  r = evaluate(c.x, c.y, c.t, 7 * 60, area, o);
  for (const auto& row : r.rows) {
    if (row.coverage_pct == 1 && row.method != "gi") {
      EXPECT_EQ(row.hit_rate, 1) << row.method << " fold " << row.fold;
    }
  }
}

TEST(Evaluate, IncidentsWithoutTimeCountedAndLeftOut) {
  Case c = leak_case(true);
  for (int k = 0; k < 5; ++k) c.x.push_back(170), c.y.push_back(170), c.t.push_back(kNoTime);
  c.x.push_back(5000), c.y.push_back(5000), c.t.push_back(c.t.front());
  EvaluateOptions o;
  o.train_days = 28, o.folds = 3, o.methods = parse_eval_methods("naive");
  const EvaluateResult r = evaluate(c.x, c.y, c.t, 7 * 60, rect(0, 0, 2000, 2000), o);
  EXPECT_EQ(r.without_time, 5);
  EXPECT_EQ(r.outside, 1);
  EXPECT_EQ(r.used, 420);
  EXPECT_EQ(r.last_date, "2024-03-10");
}

TEST(Evaluate, TooFewFoldsOrIncidentsIsBadData) {
  Case c = leak_case(true);
  EvaluateOptions o;
  o.methods = parse_eval_methods("naive");
  o.folds = 12;  // 12 weeks of training + 12 test weeks do not fit in 70 days
  try {
    evaluate(c.x, c.y, c.t, 7 * 60, rect(0, 0, 2000, 2000), o);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("12 folds asked, 0 possible"), std::string::npos) << e.what();
  }
  o.train_days = 28, o.folds = 3, o.min_train_incidents = 1000;
  try {
    evaluate(c.x, c.y, c.t, 7 * 60, rect(0, 0, 2000, 2000), o);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("fold 1 has 168 training incidents"), std::string::npos) << e.what();
  }
}

TEST(Evaluate, ParsersNameTheirParameter) {
  EXPECT_EQ(parse_period_days("12w", "train"), 84);
  EXPECT_EQ(parse_period_days("3d", "test"), 3);
  EXPECT_THROW(parse_period_days("3", "test"), ParameterError);
  EXPECT_EQ(parse_eval_methods("kde:250")[0].bandwidth_m, 250);
  EXPECT_THROW(parse_eval_methods("kde:0"), ParameterError);
  EXPECT_THROW(parse_eval_methods("naive,,gi"), ParameterError);
  EXPECT_EQ(parse_coverages("5,1,1"), (std::vector<double>{1, 5}));
  EXPECT_THROW(parse_coverages("101"), ParameterError);
}

}  // namespace
}  // namespace hotspot
