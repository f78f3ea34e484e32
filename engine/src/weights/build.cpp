// The weights spec ("queen", "knn:8", ...) and the one call that turns it into weights.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>

#include "hotspot/error.hpp"
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
  if (spec.inverse_distance < 0 || !std::isfinite(spec.inverse_distance))
    throw ParameterError("inverse_distance",
                         "must be > 0 (got " + fmt(spec.inverse_distance) + ")");
  if (spec.inverse_distance > 0 && contiguity)
    throw ParameterError("inverse_distance", "applies to knn:K and band:D weights");
  if (!(spec.snap >= 0) && spec.snap != kDefaultSnap)
    throw ParameterError("snap", "must be >= 0 (got " + fmt(spec.snap) + ")");
  const std::string unit_word = u.planar ? " data units" : " m";
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
      const bool queen = spec.kind == WeightsKind::kQueen;
      b.w = contiguity_weights(u.polygons, queen ? Contiguity::kQueen : Contiguity::kRook, b.snap);
      b.description = std::string(queen ? "queen" : "rook") + " contiguity (snap " + fmt(b.snap) +
                      unit_word + ")";
      break;
    }
    case WeightsKind::kKnn:
      b.w = knn_weights(u.xy, spec.k);
      b.description =
          std::to_string(spec.k) + " nearest neighbours" + (u.points ? "" : " (polygon centroids)");
      break;
    case WeightsKind::kBand:
      b.w = band_weights(u.xy, spec.band_m);
      b.band_m = spec.band_m;
      b.description = "distance band " + fmt(spec.band_m) + unit_word +
                      (u.points ? "" : " (polygon centroids)");
      break;
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
