#pragma once
// incidents.csv: the planted structure (gate clusters, night robbery along roads, background in
// proportion to population, repeated addresses) and, on request, the edge-case rows.
#include <cstdint>
#include <string>
#include <vector>

#include "district.hpp"

namespace datagen {

struct IncidentOptions {
  std::uint64_t seed = 20240101;  // DEFAULT: 20240101
  std::int64_t count = 50000;     // good incidents; DEFAULT: 50000
  bool edge_rows = true;          // the 24 edge-case rows (21 to reject, 3 valid quoted)
};

// One edge-case row, as listed in expected_rejects.json.
struct EdgeRow {
  std::int64_t line = 0;  // physical line in the CSV (header = 1)
  std::string id;
  std::string reason;  // a reject reason code, or "accepted" for the valid quoted rows
  std::string note;
};

struct IncidentReport {
  std::int64_t rows = 0;  // data rows in the file
  std::int64_t accepted = 0;
  std::int64_t gate = 0, road = 0, background = 0;
  std::int64_t repeated_address_rows = 0, repeated_addresses = 0;
  std::vector<EdgeRow> edge_rows;
};

// The reject reasons, in the order they are reported.
extern const char* const kRejectReasons[5];

IncidentReport write_incidents(const District& d, Projector& proj, const IncidentOptions& opt,
                               const std::string& path);

}  // namespace datagen
