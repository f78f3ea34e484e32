#pragma once
// Reading incidents (CSV or any OGR point layer) and polygon layers (any OGR source).
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "hotspot/crs.hpp"
#include "hotspot/geometry.hpp"
#include "hotspot/table.hpp"

namespace hotspot {

// Why a row was not accepted. The code strings (reason_code) are part of the output contract.
enum class RejectReason {
  kBadRow,             // malformed record: wrong number of fields, unterminated quote
  kBadNumber,          // unparsable number, NaN, inf, beyond kMaxInputMagnitude, or a
                       // negative weight (unless allowed)
  kMissingCoordinate,  // empty x or y
  kOutsideArea,        // outside the area of use of the input or working CRS
  kSwappedAxes,        // lat/lon apparently swapped (repaired instead with fix_swapped_axes)
  kBadTimestamp,       // not ISO 8601, impossible date, or empty
  kDuplicateId,        // an earlier accepted row has the same id
};
const char* reason_code(RejectReason r);

// The largest magnitude of an input value (a weight, a unit's value, a population). Beyond it the
// sums of squares the statistics take overflow or lose every digit of the smaller values
// (1e200² is inf), so such a row is a bad_number. Coordinates have their own checks (CRS area).
constexpr double kMaxInputMagnitude = 1e15;

struct RejectedRow {
  std::int64_t line = 0;  // CSV: physical line where the record starts (header = 1); OGR: fid
  std::string raw;        // CSV: the record as read (valid UTF-8, capped); OGR: "fid=N"
  RejectReason reason = RejectReason::kBadRow;
  std::string message;
};

struct IncidentOptions {
  std::string path;
  std::string layer;  // OGR sources only; DEFAULT: the first layer
  // Column names. DEFAULT (empty): detected. x: lon, longitude, lng, x; y: lat, latitude, y;
  // id: id, incident_id; time: time, timestamp, datetime, date; category: category, type.
  std::string x_field, y_field, id_field, time_field, category_field, weight_field;
  std::string crs;                  // DEFAULT: the source's; EPSG:4326 for CSV
  bool fix_swapped_axes = false;    // DEFAULT: false (reject swapped rows)
  // A negative weight is a bad_number row unless allowed; then a density may be negative.
  bool allow_negative_weights = false;  // DEFAULT: false
  int utc_offset_minutes = 7 * 60;  // for naive timestamps; DEFAULT: +07:00
};

// "+07:00" -> 420: ±HH:MM with HH <= 14 and MM <= 59. Throws UsageError naming `option`.
int parse_utc_offset(const std::string& text, const std::string& option);

constexpr std::int64_t kNoTime = std::numeric_limits<std::int64_t>::min();

// Incidents as columns. After load_incidents, x/y are in the working CRS.
struct Incidents {
  std::vector<double> x, y;
  std::vector<double> lon, lat;         // WGS 84 (NaN for planar input)
  std::vector<std::int64_t> time_utc;   // seconds since 1970-01-01T00:00:00Z, or kNoTime
  std::vector<std::uint32_t> category;  // code into categories, or Dictionary::kNone
  std::vector<double> weight;           // empty when no weight field
  std::vector<std::int64_t> line;       // source line (CSV) or fid (OGR)
  StringColumn id;
  Dictionary categories;

  std::size_t size() const { return x.size(); }
};

struct IngestReport {
  std::int64_t read = 0;  // data rows read (blank lines are not rows)
  std::int64_t accepted = 0;
  std::vector<RejectedRow> rejected;
  std::int64_t swapped_fixed = 0;
  std::int64_t text_repaired = 0;  // ids/categories whose invalid UTF-8 bytes became U+FFFD
  Crs source_crs;
  std::string x_field, y_field, id_field, time_field, category_field, weight_field;
  std::vector<std::string> warnings;
};

struct PolygonOptions {
  std::string path;
  std::string layer;             // DEFAULT: the first layer
  std::string id_field;          // DEFAULT: detected (commune_id, zone_id, id, code, ma), else fid
  std::string name_field;        // DEFAULT: detected (name, ten, ten_xa), else empty names
  std::string population_field;  // DEFAULT: none
  std::string crs;               // DEFAULT: the source's
};

struct PolygonLayer {
  std::vector<std::string> id, name;
  std::vector<double> population;  // NaN where missing; empty without a population field
  std::vector<MultiPolygon> geom;  // in the working CRS after projection
  std::vector<std::int64_t> fid;
  std::int64_t read = 0;
  std::int64_t repaired = 0;         // invalid geometries fixed by make-valid
  std::vector<std::string> dropped;  // null / empty geometries: "fid 12: null geometry"
  // Populations that are bad_number (NaN, inf, negative, beyond kMaxInputMagnitude): missing.
  std::int64_t bad_population = 0;
  std::vector<std::string> warnings;  // id/name fields not found, ids/names not valid UTF-8
  Crs source_crs;
  std::string id_field, name_field, population_field;

  std::size_t size() const { return geom.size(); }
};

}  // namespace hotspot
