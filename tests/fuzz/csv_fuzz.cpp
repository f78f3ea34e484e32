// Fuzz target: bytes as an incidents CSV, through the streaming reader and the row checks.
// Anything but a hotspot::Error (a clear, typed rejection of the whole file) is a finding.
#include <unistd.h>

#include <cstdio>
#include <string>

#include "hotspot/error.hpp"
#include "io/csv_reader.hpp"
#include "io/incidents.hpp"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  static const std::string path = "/dev/shm/hotspot-fuzz-" + std::to_string(::getpid()) + ".csv";
  if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
    if (size > 0) std::fwrite(data, 1, size, f);  // data may be null when size is 0
    std::fclose(f);
  } else {
    return 0;
  }
  try {
    hotspot::CsvReader reader(path);
    hotspot::CsvRecord rec;
    while (reader.next(rec)) {
    }
  } catch (const hotspot::Error&) {
  }
  try {
    hotspot::IncidentOptions opt;
    opt.path = path;
    hotspot::IncidentRead read = hotspot::read_incidents(opt);
    auto& r = read.report;
    if (r.read != r.accepted + static_cast<std::int64_t>(r.rejected.size())) __builtin_trap();
    if (static_cast<std::size_t>(r.accepted) != read.incidents.size()) __builtin_trap();
  } catch (const hotspot::Error&) {
  }
  return 0;
}
