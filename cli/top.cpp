// hotspot top: patrol planning from a finished output. Ranks the hotspots the file holds by the
// incidents of a time window and prints them as a table, CSV, JSON or GeoJSON.
#include "hotspot/top.hpp"

#include <iostream>
#include <memory>

#include "options.hpp"

namespace hotspot::cli {

void add_top(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "top", "Rank the hotspots of a finished output by the incidents of a time window");
  auto opt = std::make_shared<TopOptions>();
  auto format = std::make_shared<std::string>("table");
  auto offset = std::make_shared<CommonInputs>();  // only its --utc-offset rule is used
  cmd->add_option(
         "--in", opt->in,
         "A GeoPackage written by hotspot (incidents + hotspot_zones and/or local* layers)")
      ->required();
  cmd->add_option("--n", opt->n, "Hotspots listed")->capture_default_str();
  cmd->add_option("--from", opt->from, "First local date, YYYY-MM-DD (inclusive)");
  cmd->add_option("--to", opt->to, "Last local date, YYYY-MM-DD (inclusive)");
  cmd->add_option("--hours", opt->hours,
                  "Local shift HH:MM-HH:MM, may wrap midnight (22:00-04:00: the hours after "
                  "midnight belong to the day the shift began)");
  cmd->add_option("--days", opt->days,
                  "Days the shift begins: mon-fri, sat,sun, mon,wed,fri, fri-mon");
  cmd->add_option("--category", opt->categories,
                  "Only these categories (repeat the option for several)");
  cmd->add_option("--source", opt->source, "zones (KDE hotspot zones) | gi (Gi* hot spots) | both")
      ->capture_default_str();
  cmd->add_option("--format", *format, "table | csv | json | geojson")
      ->check(CLI::IsMember({"table", "csv", "json", "geojson"}))
      ->capture_default_str();
  auto* utc = cmd->add_option("--utc-offset", offset->utc_offset,
                              "Local time offset when the file's run_metadata records none")
                  ->capture_default_str();
  cmd->callback([opt, format, offset, utc] {
    finish_input_options(*offset);  // the same ±HH:MM rule as every other command
    opt->utc_offset_minutes = offset->inputs.incidents.utc_offset_minutes;
    TopResult r = run_top(*opt);
    if (utc->count() && r.utc_offset_from == "run_metadata" &&
        r.utc_offset_minutes != opt->utc_offset_minutes)
      r.warnings.push_back("--utc-offset " + offset->utc_offset +
                           " is not used: the file's run_metadata records the offset its run used");
    for (const auto& w : r.warnings) std::cerr << "hotspot: warning: " << w << "\n";
    if (*format == "csv")
      std::cout << format_top_csv(r);
    else if (*format == "json")
      std::cout << format_top_json(r);
    else if (*format == "geojson")
      std::cout << format_top_geojson(r);
    else
      std::cout << format_top_table(r);
  });
}

}  // namespace hotspot::cli
