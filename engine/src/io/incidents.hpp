#pragma once
// Stage 1 of ingest: stream rows, check each one on its own (numbers, timestamps, duplicate ids),
// and keep accepted incidents as columns in the source CRS. CRS-dependent checks (area of use,
// swapped axes) come later, in jobs/load, once the working CRS is known.
#include <string>
#include <vector>

#include "hotspot/ingest.hpp"

namespace hotspot {

// The longest category value accepted, in bytes of UTF-8 (after trimming). A longer value is most
// likely a whole text pasted into the column; its row is rejected as bad_row, never truncated, so
// two long values that share a prefix stay two categories.
constexpr std::size_t kMaxCategoryBytes = 255;

struct IncidentRead {
  Incidents incidents;  // x/y in report.source_crs
  IngestReport report;
  bool csv = false;
  // CSV: SHA-256 and length of exactly the bytes parsed (read in the same pass as the rows).
  std::string csv_sha256;
  std::int64_t csv_bytes = 0;
};

IncidentRead read_incidents(const IncidentOptions& options);

// Whether read_incidents reads `path` as CSV (by its extension), not through OGR.
bool is_csv_path(const std::string& path);

// The raw text of the given CSV records (sorted lines, as in RejectedRow::line), read again from
// the file, so accepted rows need not keep their text in memory.
std::vector<std::string> reread_csv_records(const std::string& path,
                                            const std::vector<std::int64_t>& lines);

// Valid UTF-8 (invalid bytes become U+FFFD), at most max_bytes long.
std::string sanitize_utf8(std::string_view s, std::size_t max_bytes = 2048);

}  // namespace hotspot
