#include "options.hpp"

#include <algorithm>
#include <iostream>
#include <thread>

#include "hotspot/error.hpp"

namespace hotspot::cli {

void add_input_options(CLI::App& app, CommonInputs& o, bool communes_required) {
  auto& in = o.inputs;
  app.add_option("--communes", in.communes.path, "Commune boundaries (any OGR polygon source)")
      ->required(communes_required);
  app.add_option("--communes-layer", in.communes.layer,
                 "Layer in the communes source (default: first)");
  app.add_option("--communes-id-field", in.communes.id_field,
                 "Commune id field (default: detected)");
  app.add_option("--communes-name-field", in.communes.name_field,
                 "Commune name field (default: detected)");
  app.add_option("--population-field", in.communes.population_field, "Commune population field");
  app.add_option("--communes-crs", in.communes.crs,
                 "Override the communes' CRS (any PROJ string, or planar)");
  app.add_option("--zones", in.zones.path, "Industrial-zone boundaries (any OGR polygon source)");
  app.add_option("--zones-layer", in.zones.layer, "Layer in the zones source (default: first)");
  app.add_option("--zones-id-field", in.zones.id_field, "Zone id field (default: detected)");
  app.add_option("--zones-name-field", in.zones.name_field, "Zone name field (default: detected)");
  app.add_option("--zones-crs", in.zones.crs,
                 "Override the zones' CRS (any PROJ string, or planar)");
  app.add_option("--incidents", in.incidents.path, "Incidents: CSV, or any OGR point layer")
      ->required();
  app.add_option("--incidents-layer", in.incidents.layer, "Layer in an OGR incidents source");
  app.add_option("--incidents-crs", in.incidents.crs,
                 "Incidents' CRS (default: the source's; EPSG:4326 for CSV)");
  app.add_option("--x-field", in.incidents.x_field,
                 "CSV x/longitude column (default: lon, longitude, x)");
  app.add_option("--y-field", in.incidents.y_field,
                 "CSV y/latitude column (default: lat, latitude, y)");
  app.add_option("--id-field", in.incidents.id_field, "Incident id column (default: id)");
  app.add_option("--time-field", in.incidents.time_field,
                 "Timestamp column, ISO 8601 (default: time, timestamp, ...)");
  app.add_option("--category-field", in.incidents.category_field,
                 "Category column (default: category, type)");
  app.add_option("--weight-field", in.incidents.weight_field,
                 "Weight column (default: none, every incident counts 1)");
  app.add_option("--utc-offset", o.utc_offset, "UTC offset of timestamps without one")
      ->capture_default_str();
  app.add_flag(
      "--fix-swapped-axes", in.incidents.fix_swapped_axes,
      "Swap lat/lon back on rows where they are apparently swapped, instead of rejecting them");
  app.add_option(
      "--work-crs", in.work_crs,
      "Working CRS in metres (default: the inputs' projected CRS, else the data's UTM zone)");
  app.add_option("--threads", in.threads,
                 "Threads (default: all cores; more than the cores are clamped)")
      ->check(CLI::NonNegativeNumber);
  app.add_flag("--overwrite", in.overwrite,
               "Replace an existing --out even when it is not a GeoPackage written by hotspot");
}

namespace {
std::string g_command_line = "hotspot";
}

int exit_code(const Error& e) { return exit_code_of(e.kind()); }

namespace {
int g_exit_status = 0;
}
void set_exit_status(int code) { g_exit_status = code; }
int exit_status() { return g_exit_status; }

const std::string& command_line() { return g_command_line; }

void set_command_line(int argc, const char* const* argv) {
  g_command_line = "hotspot";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool plain = !a.empty() && a.find_first_not_of(
                                         "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                         "0123456789-_=+./:,@%") == std::string::npos;
    if (plain) {
      g_command_line += " " + a;
      continue;
    }
    std::string q = " '";
    for (char c : a) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    g_command_line += q + "'";
  }
}

void finish_input_options(CommonInputs& o) {
  o.inputs.incidents.utc_offset_minutes = parse_utc_offset(o.utc_offset, "--utc-offset");
  // The engine clamps too (resolve_threads); here the user is told.
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (o.inputs.threads > cores) {
    std::cerr << "note: --threads " << o.inputs.threads << " is more than the " << cores
              << " hardware threads; using " << cores << "\n";
    o.inputs.threads = cores;
  }
}

}  // namespace hotspot::cli
