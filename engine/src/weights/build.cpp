// The weights spec ("queen", "knn:8", ...) and the one call that turns it into weights.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>

#include "hotspot/error.hpp"
#include "util/text.hpp"
#include "weights/weights.hpp"

namespace hotspot {

namespace {

double positive_number(const std::string& text, const std::string& what) {
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v) ||
      v <= 0)
    throw ParameterError("weights", what + ": '" + text + "' is not a positive number");
  return v;
}

std::string fmt(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string shortest(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, ec == std::errc() ? end : buf);
}

// A band or a K that makes every unit a neighbour of all the others leaves Gi* and Local Moran
// without variance: every statistic would be undefined. Refused, with a range that is not.
[[noreturn]] void refuse_all_neighbours(const std::string& spec, const std::vector<XY>& xy,
                                        const std::string& unit_word) {
  Box e;
  for (const XY& p : xy) e.expand(p);
  const double w = e.xmax - e.xmin, h = e.ymax - e.ymin, diag = std::hypot(w, h);
  const double lo = max_nearest_distance(xy), hi = diag / 4;
  std::string range = lo < hi ? "between " + fmt(std::ceil(lo)) + unit_word + " and " +
                                    fmt(std::floor(hi)) + unit_word
                              : "of about " + fmt(std::ceil(lo)) + unit_word;
  throw ParameterError(
      "weights", spec + " makes every one of the " + std::to_string(xy.size()) +
                     " units a neighbour of all the others (extent " + fmt(w) + " × " + fmt(h) +
                     unit_word + ", diagonal " + fmt(diag) + unit_word +
                     "): Gi* and Local Moran are undefined. Use a band " + range +
                     " (from the largest nearest-neighbour distance, so every unit has a "
                     "neighbour, to a quarter of the diagonal), or knn:K with K well below " +
                     std::to_string(xy.size() - 1));
}

}  // namespace

WeightsSpec parse_weights_spec(const std::string& s, WeightsSpec w) {
  if (s == "queen") {
    w.kind = WeightsKind::kQueen;
  } else if (s == "rook") {
    w.kind = WeightsKind::kRook;
  } else if (s.rfind("knn:", 0) == 0) {
    const double k = positive_number(s.substr(4), "knn:K");
    if (k != std::floor(k) || k > 1000)
      throw ParameterError("weights",
                           "knn:K: K must be a whole number 1..1000 (got " + s.substr(4) + ")");
    w.kind = WeightsKind::kKnn, w.k = static_cast<int>(k);
  } else if (s.rfind("band:", 0) == 0) {
    w.kind = WeightsKind::kBand, w.band_m = positive_number(s.substr(5), "band:D");
  } else {
    throw ParameterError("weights", "'" + s + "': expected queen, rook, knn:K or band:D");
  }
  return w;
}

std::string weights_spec_text(const WeightsSpec& w) {
  switch (w.kind) {
    case WeightsKind::kQueen:
      return "queen";
    case WeightsKind::kRook:
      return "rook";
    case WeightsKind::kKnn:
      return "knn:" + std::to_string(w.k);
    case WeightsKind::kBand:
      return "band:" + shortest(w.band_m);
  }
  return "";
}

BuiltWeights build_weights(const WeightsSpec& spec, const WeightUnits& u) {
  const bool contiguity = spec.kind == WeightsKind::kQueen || spec.kind == WeightsKind::kRook;
  if (spec.inverse_distance < 0 || !std::isfinite(spec.inverse_distance) ||
      spec.inverse_distance > kMaxInverseDistancePower)
    throw ParameterError("inverse_distance", "must be a power in 0.." +
                                                 fmt(kMaxInverseDistancePower) + " (got " +
                                                 fmt(spec.inverse_distance) +
                                                 "); 1 or 2 are usual, 0 is binary weights");
  if (spec.inverse_distance > 0 && contiguity)
    throw ParameterError("inverse_distance", "applies to knn:K and band:D weights");
  if (!(spec.snap >= 0) && spec.snap != kDefaultSnap)
    throw ParameterError("snap", "must be >= 0 (got " + fmt(spec.snap) + ")");
  const std::string unit_word = std::string(" ") + length_unit(u.planar);
  BuiltWeights b;
  switch (spec.kind) {
    case WeightsKind::kQueen:
    case WeightsKind::kRook: {
      if (u.points)
        throw ParameterError(
            "weights", weights_spec_text(spec) + " needs polygons; use knn:K or band:D for points");
      Box extent;
      for (const auto& p : u.polygons) extent.expand(bounds(p));
      b.snap = spec.snap == kDefaultSnap ? default_snap(extent, u.planar) : spec.snap;
      const double diagonal = std::hypot(extent.xmax - extent.xmin, extent.ymax - extent.ymin);
      if (spec.snap != kDefaultSnap && diagonal > 0 && b.snap > kMaxSnapShareOfExtent * diagonal)
        throw ParameterError(
            "snap", fmt(b.snap) + unit_word + " is more than " + fmt(100 * kMaxSnapShareOfExtent) +
                        " % of the units' extent (" + fmt(extent.xmax - extent.xmin) + " × " +
                        fmt(extent.ymax - extent.ymin) + unit_word + ", diagonal " + fmt(diagonal) +
                        unit_word + "): contiguity would link units that do not touch" +
                        (b.snap >= diagonal ? ", every unit to all the others" : "") +
                        ". Use a tolerance for the gaps between neighbours, at most " +
                        fmt(kMaxSnapShareOfExtent * diagonal) + unit_word + " (default " +
                        fmt(default_snap(extent, u.planar)) + unit_word + ")");
      const bool queen = spec.kind == WeightsKind::kQueen;
      b.w = contiguity_weights(u.polygons, queen ? Contiguity::kQueen : Contiguity::kRook, b.snap);
      b.description = std::string(queen ? "queen" : "rook") + " contiguity (snap " + fmt(b.snap) +
                      unit_word + ")";
      break;
    }
    case WeightsKind::kKnn:
      if (u.xy.size() > 1 && static_cast<std::size_t>(spec.k) >= u.xy.size() - 1)
        refuse_all_neighbours(weights_spec_text(spec), u.xy, unit_word);
      b.w = knn_weights(u.xy, spec.k);
      b.description =
          std::to_string(spec.k) + " nearest neighbours" + (u.points ? "" : " (polygon centroids)");
      break;
    case WeightsKind::kBand: {
      // Every pair is within a band as long as the extent's diagonal: refused before any link is
      // built (band:1e9 on 20,000 units would be 400 million of them).
      Box e;
      for (const XY& p : u.xy) e.expand(p);
      if (u.xy.size() > 1 && spec.band_m >= std::hypot(e.xmax - e.xmin, e.ymax - e.ymin))
        refuse_all_neighbours(weights_spec_text(spec), u.xy, unit_word);
      b.w = band_weights(u.xy, spec.band_m);
      bool all = u.xy.size() > 1;
      for (std::size_t i = 0; all && i < b.w.size(); ++i) all = b.w.cardinality(i) + 1 == u.xy.size();
      if (all) refuse_all_neighbours(weights_spec_text(spec), u.xy, unit_word);
      b.band_m = spec.band_m;
      b.description = "distance band " + fmt(spec.band_m) + unit_word +
                      (u.points ? "" : " (polygon centroids)");
      break;
    }
  }
  b.islands = b.w.islands();
  if (!b.islands.empty() && spec.islands == IslandPolicy::kNearest) attach_islands(b.w, u.xy);
  if (spec.inverse_distance > 0) {
    apply_inverse_distance(b.w, u.xy, spec.inverse_distance);
    b.description += ", inverse distance d^-" + fmt(spec.inverse_distance);
  }
  return b;
}

}  // namespace hotspot
