#include "options.hpp"

#include <cmath>
#include <cstdlib>

#include <algorithm>
#include <iostream>
#include <thread>

#include "hotspot/error.hpp"
#include "hotspot/jobs.hpp"

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
  app.add_option("--communes-encoding", in.communes.encoding,
                 "Text encoding of the communes' .dbf: utf-8, cp1258, latin1, any iconv name "
                 "(default: the .cpg, else the DBF language byte, else utf-8)");
  app.add_option("--zones", in.zones.path, "Industrial-zone boundaries (any OGR polygon source)");
  app.add_option("--zones-layer", in.zones.layer, "Layer in the zones source (default: first)");
  app.add_option("--zones-id-field", in.zones.id_field, "Zone id field (default: detected)");
  app.add_option("--zones-name-field", in.zones.name_field, "Zone name field (default: detected)");
  app.add_option("--zones-crs", in.zones.crs,
                 "Override the zones' CRS (any PROJ string, or planar)");
  app.add_option("--zones-encoding", in.zones.encoding,
                 "Text encoding of the zones' .dbf (as --communes-encoding)");
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
                 "Timestamp column (default: time, timestamp, ...); with --date-field, the "
                 "time-of-day column");
  app.add_option("--date-field", in.incidents.date_field,
                 "Date column, when date and time of day are in separate columns");
  app.add_option("--time-format", in.incidents.time_format,
                 "How times are written: iso, dmy, mdy, excel-serial, epoch-s, epoch-ms, or "
                 "strftime directives such as '%d/%m/%Y %H:%M' (default: iso)");
  app.add_option("--category-case", o.category_case,
                 "fold: THEFT, Theft, theft are one category; keep: each spelling is its own")
      ->check(CLI::IsMember({"fold", "keep"}))
      ->capture_default_str();
  app.add_option("--encoding", in.incidents.encoding,
                 "Text encoding of the incidents CSV/DBF: utf-8, cp1258, latin1, any iconv name "
                 "(default: utf-8; a Shapefile's .cpg)");
  app.add_option("--max-reject-share", in.incidents.max_reject_share,
                 "Stop (exit 3) when more than this share of rows is rejected or has no usable time")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
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
  app.add_option("--max-memory", o.max_memory,
                 "Memory budget, e.g. 4G: a job estimated above it is refused before it starts "
                 "(default: half the physical memory)");
  app.add_flag("--allow-negative-weights", in.incidents.allow_negative_weights,
               "Accept negative --weight-field values (else they are bad_number rows); a density "
               "may then be negative");
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

void print_warnings(const std::vector<std::string>& warnings) {
  for (const auto& w : warnings) std::cerr << "hotspot: warning: " << w << "\n";
}

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
  if (!o.max_memory.empty()) {
    try {
      o.inputs.max_memory = parse_memory_size(o.max_memory);
    } catch (const UsageError& e) {
      throw UsageError(std::string("--max-memory: ") + e.what());
    }
  }
  o.inputs.incidents.category_case = parse_category_case(o.category_case);
  try {
    check_time_format(o.inputs.incidents.time_format);
  } catch (const ParameterError& e) {
    throw UsageError("--time-format: " + e.problem());
  }
  // The engine clamps too (resolve_threads); here the user is told.
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (o.inputs.threads > cores) {
    std::cerr << "note: --threads " << o.inputs.threads << " is more than the " << cores
              << " hardware threads; using " << cores << "\n";
    o.inputs.threads = cores;
  }
}

void refuse_non_finite_numbers(CLI::App& app) {
  const CLI::Validator finite(
      [](std::string& text) -> std::string {
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        if (end != text.c_str() && !std::isfinite(v))
          return "'" + text + "' is not a finite number";
        return "";
      },
      "FINITE");
  for (CLI::Option* opt : app.get_options())
    if (opt->get_type_name().find("FLOAT") != std::string::npos) opt->check(finite);
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; }))
    refuse_non_finite_numbers(*sub);
}

}  // namespace hotspot::cli
