// hotspot local: Getis-Ord Gi* and Local Moran's I on polygons, points or a generated grid.
#include "hotspot/local.hpp"

#include <iostream>
#include <memory>

#include "options.hpp"

namespace hotspot::cli {

void add_local(CLI::App& app) {
  auto* cmd = app.add_subcommand("local",
                                 "Local spatial statistics (Getis-Ord Gi*, Local Moran's I) with "
                                 "permutation inference; write a GeoPackage");
  auto o = std::make_shared<CommonInputs>();
  auto opt = std::make_shared<LocalOptions>();
  add_input_options(*cmd, *o, /*communes_required=*/false);
  cmd->get_option("--incidents")
      ->required(false)
      ->description("Incidents to count into --grid cells (CSV or OGR points)");
  cmd->get_option("--communes")
      ->description("Study area for --grid (default: the incidents' convex hull)");
  cmd->get_option("--x-field")
      ->description("CSV x/longitude column of --units or --incidents (default: detected)");
  cmd->get_option("--y-field")
      ->description("CSV y/latitude column of --units or --incidents (default: detected)");
  cmd->add_option("--units", opt->units,
                  "Analysis units: any OGR polygon or point layer, or a CSV of points");
  cmd->add_option("--units-layer", opt->units_layer, "Layer in the units source (default: first)");
  cmd->add_option("--units-crs", opt->units_crs,
                  "Override the units' CRS (any PROJ string, or planar)");
  cmd->add_option("--field", opt->field, "Value field of the units");
  cmd->add_option("--grid", opt->grid,
                  "Generated units: hex:SIZE, square:SIZE (metres between cell centres) or auto");
  cmd->add_option("--stat", opt->stat, "gi, lisa or both")->capture_default_str();
  cmd->add_option("--weights", opt->weights,
                  "queen, rook, knn:K or band:D (D in metres, or data units for planar input)");
  cmd->add_option("--snap", opt->snap,
                  "Contiguity snapping tolerance (default: 0.5 m; planar: 1e-7 of the extent)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--inverse-distance", opt->inverse_distance,
                  "Weights d^-P on knn/band neighbours (P > 0)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--islands", opt->islands,
                  "Units without neighbours: keep (null statistics) or nearest")
      ->capture_default_str();
  cmd->add_option("--permutations", opt->permutations,
                  "Conditional permutations; 0 = analytic p only")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--seed", opt->seed, "Random seed (recorded in run_metadata)")
      ->capture_default_str();
  cmd->add_flag("--fdr", opt->fdr, "Benjamini-Hochberg correction for Gi_Bin and COType");
  cmd->add_option("--out", opt->out, "Output GeoPackage (written atomically)")->required();
  cmd->callback([o, opt] {
    finish_input_options(*o);
    opt->inputs = o->inputs;
    if (!opt->grid.empty()) opt->units_source = "grid";
    // --x-field/--y-field name the CSV columns of whichever input is a CSV of points.
    opt->x_field = o->inputs.incidents.x_field;
    opt->y_field = o->inputs.incidents.y_field;
    opt->command_line = command_line();
    LocalSummary s = run_local(*opt);
    std::cout << format_local_summary(s);
  });
}

}  // namespace hotspot::cli
