// The reject gate and the small option parsers of ingest.hpp.
#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>

#include "hotspot/error.hpp"
#include "hotspot/ingest.hpp"
#include "io/incidents.hpp"

namespace hotspot {

namespace {

constexpr std::size_t kReasons = static_cast<std::size_t>(RejectReason::kBadText) + 1;

// The shape of a value: digits as 9, letters as a ("01/09/2025 00:10" -> "99/99/9999 99:99").
std::string shape(const std::string& v) {
  std::string out;
  for (char c : v.substr(0, 40))
    out += c >= '0' && c <= '9' ? '9' : ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ? 'a' : c;
  return out;
}

std::string time_hint(const IngestReport& rep) {
  if (rep.bad_time_samples.empty())
    return "the time column is empty or holds times outside years 0001-9999";
  const std::string& first = rep.bad_time_samples.front();
  std::string hint = "the first values look like '" + sanitize_utf8(first, 40) + "' (" +
                     shape(first) + ")";
  if (auto f = detect_time_format(rep.bad_time_samples))
    return hint + "; --time-format '" + *f + "' (inputs.incidents.time_format) reads them";
  return hint + "; give their format with --time-format, e.g. '%d/%m/%Y %H:%M', or a preset "
                "(iso, dmy, mdy, excel-serial, epoch-s, epoch-ms)";
}

std::string hint_for(RejectReason r, const IngestReport& rep) {
  switch (r) {
    case RejectReason::kBadTimestamp: return time_hint(rep);
    case RejectReason::kOutsideArea:
      if (!rep.swapped_hint.empty()) return rep.swapped_hint;
      return "is --incidents-crs right? (a projected CSV needs its CRS, e.g. EPSG:9210 for "
             "VN-2000 / UTM 48N; coordinates in surveyors' order need their columns swapped)";
    case RejectReason::kSwappedAxes:
      return "longitude and latitude look swapped: swap --x-field and --y-field, or pass "
             "--fix-swapped-axes";
    case RejectReason::kBadNumber:
      return "are --x-field/--y-field the coordinate columns? decimal commas need a ';' "
             "or tab delimiter";
    case RejectReason::kMissingCoordinate:
      return "are --x-field/--y-field the coordinate columns?";
    case RejectReason::kBadRow:
      return "the rows do not match the header: check the delimiter and the quotes";
    case RejectReason::kDuplicateId:
      return "--id-field names a column whose values are not unique";
    case RejectReason::kBadText:
      return "the text is not valid in the declared encoding: give the file's encoding with "
             "--encoding (e.g. cp1258, latin1, utf-8)";
  }
  return "";
}

}  // namespace

int parse_utc_offset(const std::string& s, const std::string& option) {
  int sign = 0, h = 0, m = 0;
  auto digit = [&](std::size_t i) { return std::isdigit(static_cast<unsigned char>(s[i])) != 0; };
  if (s.size() == 6 && (s[0] == '+' || s[0] == '-') && s[3] == ':' && digit(1) && digit(2) &&
      digit(4) && digit(5)) {
    sign = s[0] == '-' ? -1 : 1;
    h = (s[1] - '0') * 10 + (s[2] - '0');
    m = (s[4] - '0') * 10 + (s[5] - '0');
  }
  if (!sign || h > 14 || m > 59)
    throw UsageError(option + " '" + s + "': expected +HH:MM or -HH:MM, e.g. +07:00");
  return sign * (h * 60 + m);
}

CategoryCase parse_category_case(const std::string& text) {
  if (text == "fold") return CategoryCase::kFold;
  if (text == "keep") return CategoryCase::kKeep;
  throw ParameterError("category_case", "'" + text + "': expected fold or keep");
}

void enforce_reject_gate(const IngestReport& rep, double max_share, const std::string& source) {
  if (rep.read <= 0 || max_share >= 1) return;
  std::array<std::int64_t, kReasons> count{};
  for (const auto& r : rep.rejected) ++count[static_cast<std::size_t>(r.reason)];
  count[static_cast<std::size_t>(RejectReason::kBadTimestamp)] += rep.time_unparsed;
  const std::int64_t bad = static_cast<std::int64_t>(rep.rejected.size()) + rep.time_unparsed;
  if (static_cast<double>(bad) <= max_share * static_cast<double>(rep.read)) return;
  const auto top = static_cast<RejectReason>(
      std::max_element(count.begin(), count.end()) - count.begin());
  char share[64];
  std::snprintf(share, sizeof share, "%.0f%%", 100.0 * static_cast<double>(bad) /
                                                   static_cast<double>(rep.read));
  std::string msg = "incidents '" + source + "': " + std::to_string(bad) + " of " +
                    std::to_string(rep.read) + " rows (" + share +
                    ") are rejected or have no usable time, more than max_reject_share " +
                    std::to_string(max_share).substr(0, 4) + "; nothing was analysed. Top reason: " +
                    reason_code(top) + " (" + std::to_string(count[static_cast<std::size_t>(top)]) +
                    " rows)";
  std::vector<const RejectedRow*> examples;
  for (const auto* rows : {&rep.rejected, &rep.time_notes})
    for (const auto& r : *rows)
      if (r.reason == top && examples.size() < 2) examples.push_back(&r);
  std::sort(examples.begin(), examples.end(),
            [](const RejectedRow* a, const RejectedRow* b) { return a->line < b->line; });
  for (const RejectedRow* r : examples)
    msg += "\n  line " + std::to_string(r->line) + ": " + sanitize_utf8(r->raw, 160) + "  (" +
           r->message + ")";
  msg += "\n  hint: " + hint_for(top, rep);
  throw InputError(msg);
}

}  // namespace hotspot
