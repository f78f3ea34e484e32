// hotspot: the command line. main stays tiny: subcommands register themselves from one explicit
// list, and errors map to exit codes here and nowhere else.
//   (the codes themselves: exit_code in options.cpp)
#include <iostream>

#include "hotspot/error.hpp"
#include "options.hpp"

int main(int argc, char** argv) {
  CLI::App app{"hotspot: geospatial hotspot analysis for incidents, communes and industrial zones"};
  app.name("hotspot");
  app.require_subcommand(1);
  hotspot::cli::set_command_line(argc, argv);
  app.set_version_flag("--version", std::string("hotspot ") + HOTSPOT_VERSION);
  hotspot::cli::add_aggregate(app);
  hotspot::cli::add_validate(app);
  hotspot::cli::add_near_repeat(app);
  hotspot::cli::add_local(app);
  hotspot::cli::add_emerging(app);
  hotspot::cli::add_cluster(app);
  hotspot::cli::add_kde(app);
  hotspot::cli::add_run(app);
  hotspot::cli::add_top(app);
  hotspot::cli::add_init(app);
  hotspot::cli::add_evaluate(app);
  hotspot::cli::add_brief(app);
  hotspot::cli::refuse_non_finite_numbers(app);
  try {
    app.parse(argc, argv);
    return hotspot::cli::exit_status();
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);  // prints help or the parse error
    return rc == 0 ? 0 : 2;
  } catch (const hotspot::Error& e) {
    std::cerr << "hotspot: error: " << e.what() << "\n";
    return hotspot::cli::exit_code(e);
  } catch (const std::bad_alloc&) {
    std::cerr << "hotspot: error: out of memory\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "hotspot: internal error: " << e.what() << "\n";
  }
  return 1;
}
