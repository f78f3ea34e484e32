// hotspot evaluate: a rolling-origin backtest of hotspot maps on a run configuration's inputs.
#include "hotspot/evaluate.hpp"

#include <iostream>
#include <memory>

#include "hotspot/error.hpp"
#include "options.hpp"

namespace hotspot::cli {

namespace {

struct EvaluateText {
  std::string methods = "naive,kde,prospective,gi", train = "12w", test = "1w",
              coverage = "0.5,1,2,5,10,20", format = "table", hours, days;
};

}  // namespace

void add_evaluate(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "evaluate", "Backtest hotspot methods on held-out periods: hit rate, PAI, PEI, RRI");
  auto job = std::make_shared<EvaluateJob>();
  auto text = std::make_shared<EvaluateText>();
  cmd->add_option("--config", job->config, "A run configuration: its inputs are evaluated")->required();
  cmd->add_option("--methods", text->methods,
                  "naive, kde, kde:METRES (bandwidth), prospective, gi; comma-separated")
      ->capture_default_str();
  cmd->add_option("--cell", job->options.cell_m, "Grid cell side, metres (cells on multiples of it)")
      ->capture_default_str();
  cmd->add_option("--train", text->train, "Training period before each test period (7d, 12w)")
      ->capture_default_str();
  cmd->add_option("--test", text->test, "Test period of each fold (1w, 7d)")->capture_default_str();
  cmd->add_option("--folds", job->options.folds, "Folds: the most recent test periods")
      ->capture_default_str();
  cmd->add_option("--coverage", text->coverage, "Coverages, % of the study area, comma-separated")
      ->capture_default_str();
  cmd->add_option("--hours", text->hours, "Only incidents of this local shift, HH:MM-HH:MM");
  cmd->add_option("--days", text->days, "Only incidents of shifts beginning on these days (mon-fri)");
  cmd->add_option("--category", job->categories, "Only these categories (repeatable)");
  cmd->add_option("--window", job->window_name,
                  "The window of the configuration's kde or local analysis of this name "
                  "(\"name\": \"night\"): its dates, hours, days and categories");
  cmd->add_option("--out", job->out, "GeoPackage with the evaluation tables");
  cmd->add_option("--plot", job->plot, "PNG plot of hit rate against coverage");
  cmd->add_option("--format", text->format, "table | csv | json")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();
  cmd->add_option("--threads", job->threads, "Threads (default: the configuration's)");
  cmd->add_flag("--overwrite", job->overwrite, "Replace --out even when hotspot did not write it");
  cmd->callback([job, text] {
    EvaluateResult r;
    try {
      job->options.methods = parse_eval_methods(text->methods);
      job->options.train_days = parse_period_days(text->train, "train");
      job->options.test_days = parse_period_days(text->test, "test");
      job->options.coverage_pct = parse_coverages(text->coverage);
      set_window_hours(job->window, text->hours);
      set_window_days(job->window, text->days);
      job->command_line = command_line();
      r = run_evaluate_job(*job);
    } catch (const ParameterError& e) {
      const std::string flag = e.parameter() == "categories" ? "category" : e.parameter();
      throw UsageError("--" + flag + ": " + e.problem());
    }
    for (const auto& w : r.warnings) std::cerr << "hotspot: warning: " << w << "\n";
    if (text->format == "json")
      std::cout << format_eval_json(r);
    else if (text->format == "csv")
      std::cout << format_eval_csv(r);
    else
      std::cout << format_eval_table(r);
  });
}

}  // namespace hotspot::cli
