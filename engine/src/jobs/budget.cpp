#include "jobs/budget.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "hotspot/error.hpp"
#include "hotspot/ingest.hpp"
#include "util/time.hpp"

namespace hotspot {

std::uint64_t physical_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || size <= 0) return std::uint64_t{4} << 30;  // unknown: assume 4 GiB
  return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(size);
}

std::uint64_t resolve_max_memory(std::uint64_t requested) {
  return requested > 0 ? requested : physical_memory_bytes() / 2;
}

std::uint64_t parse_memory_size(const std::string& text) {
  const std::string bad = "expected a size such as 512M, 4G or 4GiB, got '" + text + "'";
  if (text.empty() || !std::isdigit(static_cast<unsigned char>(text[0]))) throw UsageError(bad);
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  std::string unit(end);
  for (char& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  double scale = 0;
  for (auto [name, s] : {std::pair<const char*, double>{"", 1}, {"B", 1}, {"K", 0x1p10},
                         {"KB", 0x1p10}, {"KIB", 0x1p10}, {"M", 0x1p20}, {"MB", 0x1p20},
                         {"MIB", 0x1p20}, {"G", 0x1p30}, {"GB", 0x1p30}, {"GIB", 0x1p30},
                         {"T", 0x1p40}, {"TB", 0x1p40}, {"TIB", 0x1p40}})
    if (unit == name) scale = s;
  if (errno == ERANGE || !std::isfinite(v) || scale == 0) throw UsageError(bad);
  const double bytes = v * scale;
  if (bytes < 0x1p20) throw UsageError("must be at least 1M (got '" + text + "')");
  if (bytes > 0x1p60) throw UsageError("must be at most 1024P (got '" + text + "')");
  return static_cast<std::uint64_t>(bytes);
}

std::string bytes_text(double bytes) {
  char buf[64];
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int u = 0;
  while (bytes >= 1024 && u < 6) bytes /= 1024, ++u;
  if (u == 6 && bytes >= 1024)
    std::snprintf(buf, sizeof buf, "%.3g EiB", bytes);
  else
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
  return buf;
}

std::string count_text(double n) {
  if (!(n < 1e15)) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3g", n);
    return buf;
  }
  std::string digits = std::to_string(static_cast<long long>(std::llround(n)));
  std::string out;
  for (std::size_t k = 0; k < digits.size(); ++k) {
    if (k > 0 && (digits.size() - k) % 3 == 0) out += ',';
    out += digits[k];
  }
  return out;
}

double kde_bytes(double cells, bool masked) {
  // Float32 surface 4, zone labels 4, the copy the writer takes 4; a mask 1 and its prefix sums 4.
  return cells * (12.0 + (masked ? 5.0 : 0.0));
}

double band_links(const std::vector<XY>& xy, double band) {
  const std::size_t n = xy.size();
  if (n < 2) return 0;
  const std::size_t samples = std::min<std::size_t>(n, 256);
  const double d2 = band * band;
  // The sample units sorted by x: each point meets only the samples within about a band of it
  // in x (the margin keeps every sample the distance test could accept), so one pass over the
  // points costs about n, not 256 n (0.3 s for a million incidents before).
  std::vector<std::pair<double, std::size_t>> by_x(samples);
  for (std::size_t s = 0; s < samples; ++s) by_x[s] = {xy[s * n / samples].x, s * n / samples};
  std::sort(by_x.begin(), by_x.end());
  const double reach = band * (1 + 1e-6) + 1e-300;
  double found = 0;
  for (std::size_t j = 0; j < n; ++j) {
    auto k = std::lower_bound(by_x.begin(), by_x.end(), std::make_pair(xy[j].x - reach, std::size_t{0}));
    for (; k != by_x.end() && k->first <= xy[j].x + reach; ++k) {
      const std::size_t i = k->second;
      const double dx = xy[j].x - xy[i].x, dy = xy[j].y - xy[i].y;
      found += j != i && dx * dx + dy * dy <= d2;
    }
  }
  return found / static_cast<double>(samples) * static_cast<double>(n);
}

double weights_bytes(double links, double units) {
  // Three CSR copies (index 4 + weight 8 per entry, the Gi* copy with one more per unit), the
  // builder's candidate pairs (16 per link) and the offsets.
  return links * (3 * 12.0 + 16.0) + units * (12.0 + 3 * 8.0);
}

double permutation_work(double links, double units, double permutations) {
  return permutations * (links + units);
}

double cube_bytes(double cells, double steps) {
  // Per bin: count, spatial lag, running sum, Gi* z and p (8 each), the step of each incident
  // aside; per cell: two series of steps for the trends.
  return cells * steps * (5 * 8.0 + 2 * 8.0);
}

double cube_work(double cells, double steps) { return cells * steps * steps; }

double grid_cells(const Box& extent, double size_m, bool hexagons) {
  if (extent.empty() || !(size_m > 0)) return 0;
  // Centre spacing s: a hexagon covers (√3/2)·s², a square s²; one more row and column of cells
  // for the clipped border.
  const double w = extent.xmax - extent.xmin + 2 * size_m, h = extent.ymax - extent.ymin + 2 * size_m;
  return w * h / (hexagons ? std::sqrt(3.0) / 2 * size_m * size_m : size_m * size_m);
}

namespace {

[[noreturn]] void refuse(const std::string& parameter, const std::string& message, bool data) {
  if (data) throw InputError(parameter + ": " + message);
  throw ParameterError(parameter, message);
}

}  // namespace

void require_memory(const std::string& parameter, double need, std::uint64_t budget,
                    const std::string& what, const std::string& advice, bool data_problem) {
  if (need <= static_cast<double>(budget)) return;
  refuse(parameter,
         what + " needs about " + bytes_text(need) + " of memory; the limit is " +
             bytes_text(static_cast<double>(budget)) +
             " (--max-memory / max_memory; default half the physical memory). " + advice,
         data_problem);
}

void require_work(const std::string& parameter, double work, double limit, const std::string& what,
                  const std::string& advice, bool data_problem) {
  if (work <= limit) return;
  refuse(parameter,
         what + " is about " + count_text(work) + " operations; the limit is " +
             count_text(limit) + ". " + advice,
         data_problem);
}

std::string time_outliers(const std::vector<std::int64_t>& times, int utc_offset_minutes) {
  std::vector<std::int64_t> t;
  t.reserve(times.size());
  for (auto v : times)
    if (v != kNoTime) t.push_back(v);
  if (t.size() < 2) return "";
  std::sort(t.begin(), t.end());
  const double span = static_cast<double>(t.back()) - static_cast<double>(t.front());
  std::size_t gap_at = 0;  // the widest gap is between t[gap_at] and t[gap_at + 1]
  double widest = -1;
  for (std::size_t k = 0; k + 1 < t.size(); ++k) {
    const double g = static_cast<double>(t[k + 1]) - static_cast<double>(t[k]);
    if (g > widest) widest = g, gap_at = k;
  }
  if (!(widest > span / 2)) return "";
  const std::size_t before = gap_at + 1, after = t.size() - before;
  const double few = std::max(1.0, 0.01 * static_cast<double>(t.size()));
  auto date = [&](std::int64_t v) {
    return format_utc(v + std::int64_t{utc_offset_minutes} * 60).substr(0, 10);
  };
  auto describe = [&](std::size_t count, std::int64_t first, std::int64_t last, std::int64_t next,
                      const char* which) {
    std::string s = count_text(static_cast<double>(count)) +
                    (count == 1 ? " incident dated " : " incidents dated ") + date(first);
    if (last != first) s += " .. " + date(last);
    return s + " (the " + which + " is " + date(next) + ")";
  };
  if (static_cast<double>(before) <= few && before <= after)
    return describe(before, t.front(), t[gap_at], t[gap_at + 1], "next");
  if (static_cast<double>(after) <= few)
    return describe(after, t[gap_at + 1], t.back(), t[gap_at], "previous");
  return "";
}

}  // namespace hotspot
