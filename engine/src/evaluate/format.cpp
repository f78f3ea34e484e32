// hotspot evaluate, renderings: a table for people, CSV of every fold, JSON for tools
// (schemas/evaluate.schema.json).
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "hotspot/evaluate.hpp"
#include "util/text.hpp"

namespace hotspot {

namespace {

using json = nlohmann::ordered_json;

std::string num(const char* f, double v) {
  if (std::isnan(v)) return "-";
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

json jnum(double v, int decimals) {
  if (std::isnan(v)) return nullptr;
  const double s = std::pow(10.0, decimals);
  return std::round(v * s) / s;
}

json stat_json(const EvalStat& s, int decimals) {
  return {{"mean", jnum(s.mean, decimals)}, {"sd", jnum(s.sd, decimals)}, {"min", jnum(s.min, decimals)},
          {"max", jnum(s.max, decimals)}, {"n", s.n}};
}

std::string csv_num(double v) {
  if (std::isnan(v)) return "";
  char b[64];
  std::snprintf(b, sizeof b, "%.6g", v);
  return b;
}

}  // namespace

std::string format_eval_table(const EvaluateResult& r) {
  const EvaluateOptions& o = r.options;
  std::string out;
  out += "hotspot evaluate: " + std::to_string(r.folds.size()) + " folds of " + std::to_string(o.test_days) +
         " test days after " + std::to_string(o.train_days) + " training days, up to " + r.last_date + "\n";
  out += "grid       " + num("%g", o.cell_m) + " " + length_unit(r.planar) + " squares, " +
         std::to_string(r.cells) + " cells, study area " + num("%.2f", r.study_area_km2) + " " +
         km2_unit(r.planar) + "\n";
  out += "incidents  " + std::to_string(r.used) + " used of " + std::to_string(r.incidents_read) + " (" +
         std::to_string(r.without_time) + " without a time, " + std::to_string(r.outside) +
         " outside the study area, " + std::to_string(r.outside_window) + " not in the window)\n\n";
  char line[256];
  std::snprintf(line, sizeof line, "%-14s %8s  %-21s %-13s %-13s %-13s\n", "method", "coverage",
                "hit rate % (min-max)", "PAI", "PEI", "RRI");
  out += line;
  for (const auto& s : r.summary) {
    const std::string hit = num("%.1f", 100 * s.hit_rate.mean) + " ±" + num("%.1f", 100 * s.hit_rate.sd) + " (" +
                            num("%.0f", 100 * s.hit_rate.min) + "-" + num("%.0f", 100 * s.hit_rate.max) + ")";
    std::snprintf(line, sizeof line, "%-14s %7s%%  %-21s %-13s %-13s %-13s\n", s.method.c_str(),
                  num("%g", s.coverage_pct).c_str(), hit.c_str(),
                  (num("%.2f", s.pai.mean) + " ±" + num("%.2f", s.pai.sd)).c_str(),
                  (num("%.2f", s.pei.mean) + " ±" + num("%.2f", s.pei.sd)).c_str(),
                  (num("%.2f", s.rri.mean) + " ±" + num("%.2f", s.rri.sd)).c_str());
    out += line;
  }
  out += "\nmean ± sd over the folds. " + r.recommendation + "\n";
  return out;
}

std::string format_eval_csv(const EvaluateResult& r) {
  std::string out = "method,coverage_pct,fold,test_from,test_to,train_incidents,test_incidents,hit_rate,pai,pei,rri,"
                    "flagged_cells,flagged_area_pct\r\n";
  for (const auto& row : r.rows) {
    const EvalFold& f = r.folds[static_cast<std::size_t>(row.fold - 1)];
    out += row.method + "," + csv_num(row.coverage_pct) + "," + std::to_string(row.fold) + "," + f.test_from + "," +
           f.test_to + "," + std::to_string(f.train_incidents) + "," + std::to_string(f.test_incidents) + "," +
           csv_num(row.hit_rate) + "," + csv_num(row.pai) + "," + csv_num(row.pei) + "," + csv_num(row.rri) + "," +
           std::to_string(row.flagged_cells) + "," + csv_num(row.flagged_area_pct) + "\r\n";
  }
  return out;
}

std::string format_eval_json(const EvaluateResult& r) {
  const EvaluateOptions& o = r.options;
  json methods = json::array(), folds = json::array(), summary = json::array(), rows = json::array();
  for (const auto& m : o.methods) methods.push_back(m.name);
  for (const auto& f : r.folds)
    folds.push_back({{"fold", f.fold}, {"train_from", f.train_from}, {"train_to", f.train_to},
                     {"test_from", f.test_from}, {"test_to", f.test_to},
                     {"train_incidents", f.train_incidents}, {"test_incidents", f.test_incidents}});
  for (const auto& s : r.summary)
    summary.push_back({{"method", s.method}, {"coverage_pct", s.coverage_pct}, {"hit_rate", stat_json(s.hit_rate, 6)},
                       {"pai", stat_json(s.pai, 4)}, {"pei", stat_json(s.pei, 4)}, {"rri", stat_json(s.rri, 4)}});
  for (const auto& row : r.rows)
    rows.push_back({{"method", row.method}, {"coverage_pct", row.coverage_pct}, {"fold", row.fold},
                    {"hit_rate", jnum(row.hit_rate, 6)}, {"pai", jnum(row.pai, 4)}, {"pei", jnum(row.pei, 4)},
                    {"rri", jnum(row.rri, 4)}, {"flagged_cells", row.flagged_cells},
                    {"flagged_area_pct", jnum(row.flagged_area_pct, 4)}});
  const json j = {
      {"parameters",
       {{"cell_m", o.cell_m}, {"train_days", o.train_days}, {"test_days", o.test_days}, {"folds", o.folds},
        {"coverage_pct", o.coverage_pct}, {"methods", methods},
        {"prospective", {{"space_bandwidth_cells", o.prospective_space_cells},
                         {"time_bandwidth_weeks", o.prospective_time_weeks}, {"time_unit_days", 7}}}}},
      {"incidents", {{"read", r.incidents_read}, {"without_time", r.without_time}, {"outside", r.outside},
                     {"outside_window", r.outside_window}, {"used", r.used}}},
      {"grid", {{"cells", r.cells}, {"study_area_km2", jnum(r.study_area_km2, 6)}}},
      {"last_date", r.last_date},
      {"folds", folds},
      {"summary", summary},
      {"rows", rows},
      {"recommendation", {{"text", r.recommendation}, {"best_method", r.best_method}, {"margin_points", jnum(r.margin_points, 3)}}},
      {"warnings", r.warnings}};
  return j.dump(2) + "\n";
}

}  // namespace hotspot
