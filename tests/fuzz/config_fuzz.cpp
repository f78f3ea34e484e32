// Fuzz target: the run-configuration parser and validator. Property: any text is either a valid
// configuration or a UsageError (exit 2) with a message, or an IoError (exit 4) naming an input
// file that does not exist; nothing else escapes, nothing crashes.
#include <cstdlib>
#include <string>

#include "hotspot/error.hpp"
#include "run/run_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    hotspot::parse_run_config(text, "/nonexistent-hotspot-fuzz/run.json");
  } catch (const hotspot::UsageError& e) {
    if (std::string(e.what()).empty()) __builtin_trap();  // a rejection always says why
  } catch (const hotspot::IoError& e) {  // a valid document whose input files are missing
    if (std::string(e.what()).find("no such file") == std::string::npos) __builtin_trap();
  }
  return 0;
}
