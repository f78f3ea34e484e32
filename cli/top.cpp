// hotspot top: patrol planning from a finished output. Ranks the hotspots the file holds by the
// incidents of a time window and prints them as a table, CSV, JSON, GeoJSON, GPX or KML.
#include "hotspot/top.hpp"

#include <iostream>
#include <memory>

#include "hotspot/error.hpp"
#include "options.hpp"

namespace hotspot::cli {

namespace {

// The window parsers and the ranking name their parameters ("hours", "categories"); here they
// are this command's flags.
template <class F>
auto with_flags(F&& f) {
  try {
    return f();
  } catch (const ParameterError& e) {
    std::string flag = e.parameter() == "categories" ? "category" : e.parameter();
    if (flag == "min_pai") flag = "min-pai";
    throw UsageError("--" + flag + ": " + e.problem());
  }
}

struct TopText {
  std::string hours, days, source = "both", format = "table";
};

}  // namespace

void add_top(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "top", "Rank the hotspots of a finished output by the incidents of a time window");
  auto opt = std::make_shared<TopOptions>();
  auto text = std::make_shared<TopText>();
  auto offset = std::make_shared<CommonInputs>();  // only its --utc-offset rule is used
  cmd->add_option(
         "--in", opt->in,
         "A GeoPackage written by hotspot (incidents + hotspot_zones and/or local* layers)")
      ->required();
  cmd->add_option("--n", opt->n, "Hotspots listed")->capture_default_str();
  cmd->add_option("--from", opt->from,
                  "First local date (inclusive): YYYY-MM-DD, today, -28d or -8w (days or weeks "
                  "before the as-of date the run recorded)");
  cmd->add_option("--to", opt->to, "Last local date (inclusive): YYYY-MM-DD, today, -1d, -1w");
  cmd->add_option("--last", opt->last,
                  "The N days or weeks ending at the run's as-of date (28d, 4w); not with --from/--to");
  cmd->add_option("--min-pai", opt->min_pai,
                  "Hide places whose PAI is not above this (1 = the study area's average)")
      ->capture_default_str();
  cmd->add_option("--hours", text->hours,
                  "Local shift HH:MM-HH:MM, may wrap midnight (22:00-04:00: the hours after "
                  "midnight belong to the day the shift began)");
  cmd->add_option("--days", text->days,
                  "Days the shift begins: mon-fri, sat,sun, mon,wed,fri, fri-mon");
  cmd->add_option("--category", opt->categories,
                  "Only these categories (repeat the option for several)");
  cmd->add_option("--window", opt->window_name,
                  "Rank the hotspots of the run's analysis of this name (hotspot_zones_NAME and "
                  "its local layers), counted in the window that analysis used");
  cmd->add_option("--source", text->source, "zones (KDE hotspot zones) | gi (Gi* hot spots) | both")
      ->capture_default_str();
  cmd->add_option("--format", text->format, "table | csv | json | geojson | gpx | kml")
      ->check(CLI::IsMember({"table", "csv", "json", "geojson", "gpx", "kml"}))
      ->capture_default_str();
  auto* utc = cmd->add_option("--utc-offset", offset->utc_offset,
                              "Local time offset when the file's run_metadata records none")
                  ->capture_default_str();
  cmd->callback([opt, text, offset, utc] {
    finish_input_options(*offset);  // the same ±HH:MM rule as every other command
    opt->utc_offset_minutes = offset->inputs.incidents.utc_offset_minutes;
    TopResult r = with_flags([&] {
      set_window_hours(opt->window, text->hours);
      set_window_days(opt->window, text->days);
      check_window(opt->window);
      opt->source = parse_top_source(text->source);
      return run_top(*opt);
    });
    if (utc->count() && r.utc_offset_from == "run_metadata" &&
        r.utc_offset_minutes != opt->utc_offset_minutes)
      r.warnings.push_back("--utc-offset " + offset->utc_offset +
                           " is not used: the file's run_metadata records the offset its run used");
    for (const auto& w : r.warnings) std::cerr << "hotspot: warning: " << w << "\n";
    if (text->format == "csv")
      std::cout << format_top_csv(r);
    else if (text->format == "json")
      std::cout << format_top_json(r);
    else if (text->format == "geojson")
      std::cout << format_top_geojson(r);
    else if (text->format == "gpx")
      std::cout << format_top_gpx(r);
    else if (text->format == "kml")
      std::cout << format_top_kml(r);
    else
      std::cout << format_top_table(r);
  });
}

}  // namespace hotspot::cli
