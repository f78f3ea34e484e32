// hotspot brief: a printable A4 patrol briefing (PDF) from a finished output, for a time window.
#include <iostream>
#include <memory>

#include "hotspot/error.hpp"
#include "hotspot/top.hpp"
#include "options.hpp"

namespace hotspot::cli {

namespace {

struct BriefText {
  std::string from, to, hours, days;
};

}  // namespace

void add_brief(CLI::App& app) {
  auto* cmd = app.add_subcommand("brief", "Write a printable patrol briefing (A4 PDF) from a finished output");
  auto opt = std::make_shared<BriefOptions>();
  auto text = std::make_shared<BriefText>();
  auto offset = std::make_shared<CommonInputs>();  // only its --utc-offset rule is used
  cmd->add_option("--in", opt->in, "A GeoPackage written by hotspot (incidents + hotspot_zones)")->required();
  cmd->add_option("--out", opt->out, "The PDF (written atomically)")->required();
  cmd->add_option("--n", opt->n, "Hotspots, one page each")->capture_default_str();
  cmd->add_option("--from", text->from, "First local date, YYYY-MM-DD (inclusive)");
  cmd->add_option("--to", text->to, "Last local date, YYYY-MM-DD (inclusive)");
  cmd->add_option("--hours", text->hours, "Local shift HH:MM-HH:MM, may wrap midnight");
  cmd->add_option("--days", text->days, "Days the shift begins: mon-fri, sat,sun, ...");
  cmd->add_option("--category", opt->categories, "Only these categories (repeat the option for several)");
  cmd->add_option("--lang", opt->lang, "Labels: vi | en")->capture_default_str();
  cmd->add_option("--title", opt->title, "Title (default: the file's name)");
  cmd->add_option("--roads", opt->roads, "Roads drawn thin on every map: any OGR line layer (e.g. an OSM extract)");
  cmd->add_option("--utc-offset", offset->utc_offset, "Local time offset when the file's run_metadata records none")
      ->capture_default_str();
  cmd->callback([opt, text, offset] {
    finish_input_options(*offset);
    opt->utc_offset_minutes = offset->inputs.incidents.utc_offset_minutes;
    BriefResult r;
    try {
      set_window_from(opt->window, text->from);
      set_window_to(opt->window, text->to);
      set_window_hours(opt->window, text->hours);
      set_window_days(opt->window, text->days);
      r = write_brief(*opt);
    } catch (const ParameterError& e) {
      const std::string flag = e.parameter() == "categories" ? "category" : e.parameter();
      throw UsageError("--" + flag + ": " + e.problem());
    }
    for (const auto& w : r.warnings) std::cerr << "hotspot: warning: " << w << "\n";
    std::string ids;
    for (const auto& id : r.ids) ids += (ids.empty() ? "" : ", ") + id;
    std::cout << "briefing  " << opt->out << ": " << r.pages << " pages (overview; " << ids << ")\n";
  });
}

}  // namespace hotspot::cli
