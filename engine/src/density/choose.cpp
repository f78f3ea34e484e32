// What the kde step decides before and after it estimates: area unit, bandwidth (rule and kernel
// conversion), grid and the zone threshold. Plain values in, plain values out.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "hotspot/density.hpp"
#include "hotspot/error.hpp"
#include "util/text.hpp"

namespace hotspot {

namespace {

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  if (s.size() < suffix.size()) return false;
  return std::equal(suffix.rbegin(), suffix.rend(), s.rbegin(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == b;
  });
}

// A length in metres: "500", "500m", "0.5km". Degrees are refused: every distance here is in the
// working CRS, which is in metres (or data units for planar input).
double parse_length(const std::string& text, const char* parameter) {
  std::string t = text;
  for (const char* deg : {"degrees", "degree", "deg", "°", "dd"})
    if (ends_with(t, deg))
      throw ParameterError(parameter,
                           "'" + text + "': degrees are refused; give metres (e.g. 500 or 500m): " +
                               "distances are measured in the projected working CRS");
  double scale = 1;
  if (ends_with(t, "km"))
    scale = 1000, t.resize(t.size() - 2);
  else if (ends_with(t, "m"))
    t.resize(t.size() - 1);
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (t.empty() || end != t.c_str() + t.size() || !std::isfinite(v) || !(v > 0))
    throw ParameterError(
        parameter, "'" + text + "': expected a positive length in metres (e.g. 500, 500m, 0.5km)");
  return v * scale;
}

}  // namespace

AreaUnit parse_area_unit(const std::string& name) {
  for (AreaUnit u : {AreaUnit::kKm2, AreaUnit::kHa, AreaUnit::kM2})
    if (name == area_unit_name(u)) return u;
  throw ParameterError("area_unit", "'" + name + "': expected km2, ha or m2");
}

const char* area_unit_name(AreaUnit u) {
  switch (u) {
    case AreaUnit::kKm2:
      return "km2";
    case AreaUnit::kHa:
      return "ha";
    case AreaUnit::kM2:
      return "m2";
  }
  return "km2";
}

const char* area_unit_label(AreaUnit u, bool planar) {
  switch (u) {
    case AreaUnit::kKm2:
      return km2_unit(planar);
    case AreaUnit::kHa:
      return planar ? "(100 data units)²" : "ha";
    case AreaUnit::kM2:
      return planar ? "data unit²" : "m²";
  }
  return km2_unit(planar);
}

double area_scale(AreaUnit u) {
  switch (u) {
    case AreaUnit::kKm2:
      return 1e6;
    case AreaUnit::kHa:
      return 1e4;
    case AreaUnit::kM2:
      return 1;
  }
  return 1e6;
}

BandwidthSpec parse_bandwidth(const std::string& text) {
  BandwidthSpec b;
  b.text = text;
  if (text == "auto")
    b.rule = BandwidthRule::kAuto;
  else if (text == "scott")
    b.rule = BandwidthRule::kScott;
  else if (text == "cv")
    b.rule = BandwidthRule::kCv;
  else
    b.rule = BandwidthRule::kGiven, b.metres = parse_length(text, "bandwidth");
  return b;
}

BandwidthSpec bandwidth_metres(double metres) {
  if (!std::isfinite(metres) || !(metres > 0))
    throw ParameterError("bandwidth",
                         "expected a positive length in metres, got " + fmt("%g", metres));
  BandwidthSpec b;
  b.rule = BandwidthRule::kGiven;
  b.metres = metres;
  b.text = fmt("%.17g", metres) + "m";
  return b;
}

BandwidthChoice choose_bandwidth(const BandwidthSpec& spec, Kernel kernel,
                                 std::span<const double> x, std::span<const double> y,
                                 std::span<const double> w, const Box& cv_window, int threads,
                                 const char* unit) {
  BandwidthChoice c;
  switch (spec.rule) {
    case BandwidthRule::kAuto: {
      const double radius = bandwidth_arcgis(x, y, w);
      c.bandwidth_m = radius * kernel_sigma(Kernel::kQuartic) / kernel_sigma(kernel);
      c.detail = "auto (ArcGIS spatial Silverman: quartic radius " + fmt("%.1f", radius) + " " +
                 unit + ")";
      break;
    }
    case BandwidthRule::kScott: {
      const double sigma = bandwidth_scott(x, y);
      c.bandwidth_m = sigma / kernel_sigma(kernel);
      c.detail = "scott (Gaussian σ " + fmt("%.1f", sigma) + " " + unit + ")";
      break;
    }
    case BandwidthRule::kCv: {
      c.cv = bandwidth_cv(x, y, cv_window, threads);
      c.bandwidth_m = c.cv->sigma_m / kernel_sigma(kernel);
      c.detail = "cv (likelihood cross-validation: Gaussian σ " + fmt("%.1f", c.cv->sigma_m) + " " +
                 unit + ")";
      break;
    }
    case BandwidthRule::kGiven:
      if (!std::isfinite(spec.metres) || !(spec.metres > 0))
        throw ParameterError("bandwidth",
                             "expected a positive length in metres, got " + fmt("%g", spec.metres));
      c.bandwidth_m = spec.metres;
      c.detail = "given";
      break;
  }
  return c;
}

Grid choose_grid(const std::optional<Box>& extent, const Box& around, double h, double cell_m,
                 const char* unit) {
  constexpr std::int64_t kMaxCells = 2'000'000'000;  // grid_for_extent's default
  if (extent) return grid_for_extent(*extent, cell_m, kMaxCells, unit);
  return grid_for_extent({around.xmin - h, around.ymin - h, around.xmax + h, around.ymax + h},
                         cell_m, kMaxCells, unit);
}

ZoneRule zone_rule(ZoneRule::Kind kind, double value) {
  switch (kind) {
    case ZoneRule::Kind::kNone:
      break;
    case ZoneRule::Kind::kTopPercent:
      if (!(value > 0 && value <= 100))
        throw ParameterError("top_percent", "must be in (0, 100], got " + fmt("%g", value));
      break;
    case ZoneRule::Kind::kPercentile:
      if (!(value >= 0 && value <= 100))
        throw ParameterError("percentile", "must be in [0, 100], got " + fmt("%g", value));
      break;
    case ZoneRule::Kind::kThreshold:
      if (!std::isfinite(value) || value < 0)
        throw ParameterError("threshold", "must be a finite density >= 0, got " + fmt("%g", value));
      break;
  }
  return {kind, value};
}

ZoneThreshold zone_threshold(const ZoneRule& rule, const DensityRaster& r,
                             const std::vector<double>& x, const std::vector<double>& y) {
  switch (rule.kind) {
    case ZoneRule::Kind::kNone:
      return {};
    case ZoneRule::Kind::kTopPercent:
      return {threshold_top_percent(r, x, y, rule.value),
              "top " + fmt("%g", rule.value) + " % of incidents"};
    case ZoneRule::Kind::kPercentile:
      return {threshold_percentile(r, rule.value),
              fmt("%g", rule.value) + "th percentile of positive cells"};
    case ZoneRule::Kind::kThreshold:
      return {zone_rule(rule.kind, rule.value).value, "given"};
  }
  return {};
}

}  // namespace hotspot
