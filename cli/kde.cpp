// hotspot kde: kernel density surface (GeoPackage gridded coverage or GeoTIFF) and hotspot zones.
#include <iostream>
#include <memory>

#include "hotspot/density.hpp"
#include "options.hpp"

namespace hotspot::cli {

void add_kde(CLI::App& app) {
  auto* cmd = app.add_subcommand("kde", "Kernel density surface of incidents, and hotspot zones drawn from it");
  auto o = std::make_shared<CommonInputs>();
  auto opt = std::make_shared<KdeRunOptions>();
  add_input_options(*cmd, *o, /*communes_required=*/false);
  cmd->add_option("--out", opt->out, "Output: OUT.gpkg (density + zones + QGIS project) or OUT.tif")->required();
  cmd->add_option("--cell-size", opt->cell_m, "Cell size, metres")->required();
  cmd->add_option("--bandwidth", opt->bandwidth, "Bandwidth in metres (500, 500m, 0.5km), or auto | scott | cv")
      ->capture_default_str();
  cmd->add_option("--kernel", opt->kernel, "quartic | epanechnikov | triweight | triangular | uniform | gaussian")
      ->capture_default_str();
  cmd->add_option("--extent", opt->extent, "xmin,ymin,xmax,ymax in the working CRS (default: data or mask, grown by one bandwidth)");
  cmd->add_option("--mask", opt->mask, "Study-area polygons: cells outside are nodata, incidents outside are dropped");
  cmd->add_option("--mask-crs", opt->mask_crs, "Override the mask's CRS (any PROJ string, or planar)");
  cmd->add_flag("--edge-correction", opt->edge_correction, "Divide by the share of each kernel inside the mask (spatstat's uniform correction)");
  cmd->add_option("--area-unit", opt->area_unit, "Density per km2 | ha | m2")->capture_default_str();
  cmd->add_option("--category", opt->categories, "Only these categories (repeat the option for several)");
  cmd->add_option("--from", opt->from, "First local date, YYYY-MM-DD (inclusive)");
  cmd->add_option("--to", opt->to, "Last local date, YYYY-MM-DD (inclusive)");
  cmd->add_option("--hours", opt->hours, "Local time window HH:MM-HH:MM, may wrap midnight (22:00-06:00)");
  auto* top = cmd->add_option("--top-percent", opt->top_percent, "Hotspot zones: the smallest area holding P % of incidents");
  auto* thr = cmd->add_option("--threshold", opt->threshold, "Hotspot zones: cells with density >= V");
  auto* pct = cmd->add_option("--percentile", opt->percentile, "Hotspot zones: cells at or above this percentile of positive cells");
  top->excludes(thr)->excludes(pct);
  thr->excludes(pct);
  cmd->callback([o, opt] {
    finish_input_options(*o);
    opt->inputs = o->inputs;
    opt->command_line = command_line();
    RunSummary s = run_kde(*opt);
    std::cout << format_summary(s);
  });
}

}  // namespace hotspot::cli
