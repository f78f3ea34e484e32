#include "io/styles.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace hotspot {

namespace {

// ColorBrewer-like ramps, chosen to read on a white or OpenStreetMap background.
const std::vector<RGB> kReds = {{254, 240, 217}, {253, 204, 138}, {252, 141, 89}, {227, 74, 51}, {179, 0, 0}};
const std::vector<RGB> kQualitative = {{31, 120, 180}, {227, 26, 28}, {51, 160, 44}, {255, 127, 0},
                                       {106, 61, 154}, {177, 89, 40}, {166, 206, 227}, {251, 154, 153},
                                       {178, 223, 138}, {253, 191, 111}, {202, 178, 214}, {255, 255, 153}};

// Fills at most 40 % opaque: a planner must see the density, the cells and the communes under any
// polygon layer.
constexpr int kFillAlpha = 102;

std::string color(RGB c, int alpha = 255) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%d,%d,%d,%d", c.r, c.g, c.b, alpha);
  return buf;
}

std::string option(const std::string& name, const std::string& value) {
  return "      <Option value=\"" + xml_escape(value) + "\" name=\"" + name + "\" type=\"QString\"/>\n";
}

// `edge`/`edge_mm`: an outline other than the default thin grey (hotspot zones: dark red, wide).
// `invisible`: neither fill nor outline (a class that is listed but must not cover anything).
std::string fill_symbol(int id, RGB c, bool outline_only, const RGB* edge = nullptr, const char* edge_mm = nullptr,
                        bool invisible = false) {
  std::string s = "   <symbol name=\"" + std::to_string(id) +
                  "\" clip_to_extent=\"1\" type=\"fill\" alpha=\"1\" force_rhr=\"0\">\n"
                  "    <layer locked=\"0\" class=\"SimpleFill\" enabled=\"1\" pass=\"0\">\n     <Option type=\"Map\">\n";
  s += option("color", color(c, outline_only ? 0 : kFillAlpha));
  s += option("outline_color", edge ? color(*edge) : outline_only ? color(c) : "90,90,90,255");
  s += option("outline_style", invisible ? "no" : "solid");
  s += option("outline_width", edge_mm ? edge_mm : outline_only ? "0.8" : "0.26");
  s += option("outline_width_unit", "MM");
  s += option("style", outline_only ? "no" : "solid");
  s += "     </Option>\n    </layer>\n   </symbol>\n";
  return s;
}

std::string marker_symbol(int id, RGB c) {
  std::string s = "   <symbol name=\"" + std::to_string(id) +
                  "\" clip_to_extent=\"1\" type=\"marker\" alpha=\"1\" force_rhr=\"0\">\n"
                  "    <layer locked=\"0\" class=\"SimpleMarker\" enabled=\"1\" pass=\"0\">\n     <Option type=\"Map\">\n";
  // Small and translucent: incident layers hold tens of thousands of points and must not hide
  // the polygons under them.
  s += option("color", color(c, 150));
  s += option("name", "circle");
  s += option("outline_color", "50,50,50,0");
  s += option("outline_style", "no");
  s += option("outline_width", "0");
  s += option("outline_width_unit", "MM");
  s += option("size", "1.0");
  s += option("size_unit", "MM");
  s += "     </Option>\n    </layer>\n   </symbol>\n";
  return s;
}

// `all`: every feature's label is drawn even where labels collide (commune names on a map
// meant for briefing must all be there). No layer's features are obstacles to labels: the
// communes cover the whole map, so as obstacles they made every candidate position equally bad,
// and QGIS put a zone's name on its commune's name (KCN Nam Đình Vũ on Hồng Thái, Z6 on both).
// Labels then avoid only each other (tests/cli/test_run_qgis.py checks that none overlap).
std::string labeling(const std::string& field, bool all = false, bool strong = false) {
  if (field.empty()) return "";
  return " <labeling type=\"simple\">\n  <settings calloutType=\"simple\">\n"
         "   <text-style fieldName=\"" + xml_escape(field) + "\" isExpression=\"0\" fontSize=\"" +
         (strong ? "11" : "9") + "\" fontSizeUnit=\"Point\" textColor=\"" + (strong ? "170,0,0,255" : "30,30,30,255") +
         "\" fontWeight=\"" + (strong ? "75" : "50") + "\" fontItalic=\"0\" "
         "fontFamily=\"Sans Serif\" textOpacity=\"1\">\n"
         "    <text-buffer bufferDraw=\"1\" bufferSize=\"0.8\" bufferSizeUnits=\"MM\" bufferColor=\"255,255,255,255\" bufferOpacity=\"1\"/>\n"
         "   </text-style>\n   <placement placement=\"0\" centroidWhole=\"1\" centroidInside=\"1\"/>\n"
         "   <rendering scaleVisibility=\"0\" obstacle=\"0\" displayAll=\"" + std::string(all ? "1" : "0") +
         "\" upsidedownLabels=\"0\"/>\n  </settings>\n </labeling>\n";
}

std::string header(bool labels) {
  return std::string("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n<qgis labelsEnabled=\"") +
         (labels ? "1" : "0") + "\" version=\"3.22.16-Białowieża\" styleCategories=\"Symbology|Labeling\">\n";
}

std::string fmt_number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

std::string fmt_label(double v) { return legend_number(v); }

}  // namespace

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

double round_2sig(double v, int direction) {
  if (!std::isfinite(v) || v == 0) return v;
  const double step = std::pow(10.0, std::floor(std::log10(std::abs(v))) - 1);
  const double q = v / step;
  const double r = direction < 0 ? std::floor(q) : direction > 0 ? std::ceil(q) : std::round(q);
  // Through the decimal text, so 0.0012 is 0.0012 and not 0.0012000000000000001.
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2g", r * step);
  double out = std::strtod(buf, nullptr);
  if (direction < 0 && out > v) out -= step;
  if (direction > 0 && out < v) out += step;
  return out;
}

std::vector<double> nice_breaks(const std::vector<double>& breaks) {
  std::vector<double> out;
  for (std::size_t i = 0; i < breaks.size(); ++i) {
    const int dir = i == 0 ? -1 : i + 1 == breaks.size() ? 1 : 0;
    const double b = round_2sig(breaks[i], dir);
    if (out.empty() || b > out.back()) out.push_back(b);
  }
  if (out.size() == 1) out.push_back(round_2sig(out.front() + std::max(1.0, std::abs(out.front())), 1));
  return out;
}

std::string legend_number(double v) {
  char buf[64];
  if (std::abs(v) >= 100 || (v == std::floor(v) && std::abs(v) < 1e15)) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
    std::string digits(buf), out;
    const std::size_t start = digits[0] == '-' ? 1 : 0;
    for (std::size_t i = 0; i < digits.size(); ++i) {
      if (i > start && (digits.size() - i) % 3 == 0) out += ',';
      out += digits[i];
    }
    return out;
  }
  std::snprintf(buf, sizeof buf, "%.2g", v);
  // %.2g writes 1.2e-05 for small values; a legend reads 0.000012.
  if (std::strchr(buf, 'e')) {
    const int decimals = 1 - static_cast<int>(std::floor(std::log10(std::abs(v))));
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  }
  return buf;
}

std::vector<double> quantile_breaks(std::vector<double> v, int classes) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return !std::isfinite(x); }), v.end());
  if (v.empty()) return {0, 1};
  std::sort(v.begin(), v.end());
  std::vector<double> breaks{v.front()};
  for (int k = 1; k <= classes; ++k) {
    double b = v[std::min(v.size() - 1, static_cast<std::size_t>(std::ceil(static_cast<double>(k) * static_cast<double>(v.size()) / classes)) - 1)];
    if (b > breaks.back()) breaks.push_back(b);
  }
  if (breaks.size() == 1) breaks.push_back(breaks.front() + 1);
  return breaks;
}

std::string graduated_fill_qml(const std::string& field, const std::vector<double>& raw_breaks,
                               const std::string& label_field, const std::string& unit, bool strong,
                               bool label_all) {
  const std::vector<double> breaks = nice_breaks(raw_breaks);
  // `strong` skips the near-white first colour, which over a dark layer reads as a hole.
  const std::size_t first = strong ? 2 : 0;
  std::string ranges, symbols;
  const std::size_t n = breaks.size() - 1;
  const std::size_t span = kReds.size() - 1 - first;
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t ci = first + (n == 1 ? span : i * span / (n - 1));
    ranges += "   <range lower=\"" + fmt_number(breaks[i]) + "\" upper=\"" + fmt_number(breaks[i + 1]) +
              "\" symbol=\"" + std::to_string(i) + "\" label=\"" + xml_escape(fmt_label(breaks[i]) + " – " +
              fmt_label(breaks[i + 1]) + (unit.empty() ? "" : " " + unit)) + "\" render=\"true\"/>\n";
    const RGB edge{170, 0, 0};
    symbols += strong ? fill_symbol(static_cast<int>(i), kReds[ci], false, &edge, "0.7")
                      : fill_symbol(static_cast<int>(i), kReds[ci], false);
  }
  return header(!label_field.empty()) + " <renderer-v2 symbollevels=\"0\" attr=\"" + xml_escape(field) +
         "\" forceraster=\"0\" referencescale=\"-1\" type=\"graduatedSymbol\" enableorderby=\"0\" "
         "graduatedMethod=\"GraduatedColor\">\n  <ranges>\n" + ranges + "  </ranges>\n  <symbols>\n" + symbols +
         "  </symbols>\n  <classificationMethod id=\"Quantile\">\n   <labelFormat trimtrailingzeroes=\"1\" "
         "format=\"%1 – %2\" labelprecision=\"2\"/>\n  </classificationMethod>\n </renderer-v2>\n" +
         labeling(label_field, label_all || strong, strong) + " <layerGeometryType>2</layerGeometryType>\n</qgis>\n";
}

std::string outline_qml(RGB c, double width_mm, const std::string& label_field, bool label_all) {
  return header(!label_field.empty()) + " <renderer-v2 symbollevels=\"0\" forceraster=\"0\" "
         "referencescale=\"-1\" type=\"singleSymbol\" enableorderby=\"0\">\n  <symbols>\n" +
         [&] {
           std::string sym = fill_symbol(0, c, true);
           const std::string from = "name=\"outline_width\" type=\"QString\"", key = "value=\"0.8\" " + from;
           auto at = sym.find(key);
           if (at != std::string::npos) sym.replace(at, key.size(), "value=\"" + fmt_number(width_mm) + "\" " + from);
           return sym;
         }() +
         "  </symbols>\n  <rotation/>\n  <sizescale/>\n </renderer-v2>\n" + labeling(label_field, label_all) +
         " <layerGeometryType>2</layerGeometryType>\n</qgis>\n";
}

namespace {

// categorized_qml with a legend text per value (labels[i], else the value itself), then grey
// categories, each a (value, legend text): value "" takes every value not listed.
std::string categorized_labelled_qml(
    const std::string& field, const std::vector<std::string>& values,
    const std::vector<std::string>& labels, bool points, const std::string& label_field,
    bool outline_only, const std::vector<std::pair<std::string, std::string>>& greys) {
  std::string cats, symbols;
  for (std::size_t i = 0; i < values.size(); ++i) {
    RGB c = kQualitative[i % kQualitative.size()];
    cats += "   <category value=\"" + xml_escape(values[i]) + "\" symbol=\"" + std::to_string(i) +
            "\" label=\"" + xml_escape(i < labels.size() ? labels[i] : values[i]) +
            "\" render=\"true\" type=\"string\"/>\n";
    symbols += points ? marker_symbol(static_cast<int>(i), c) : fill_symbol(static_cast<int>(i), c, outline_only);
  }
  for (std::size_t g = 0; g < greys.size(); ++g) {
    const auto& [value, label] = greys[g];
    const int k = static_cast<int>(values.size() + g);
    cats += "   <category value=\"" + xml_escape(value) + "\" symbol=\"" + std::to_string(k) +
            "\" label=\"" + xml_escape(label) + "\" render=\"true\"" +
            (value.empty() ? "" : " type=\"string\"") + "/>\n";
    symbols +=
        points ? marker_symbol(k, {150, 150, 150}) : fill_symbol(k, {150, 150, 150}, outline_only);
  }
  return header(!label_field.empty()) + " <renderer-v2 symbollevels=\"0\" attr=\"" + xml_escape(field) +
         "\" forceraster=\"0\" referencescale=\"-1\" type=\"categorizedSymbol\" enableorderby=\"0\">\n"
         "  <categories>\n" + cats + "  </categories>\n  <symbols>\n" + symbols + "  </symbols>\n </renderer-v2>\n" +
         labeling(label_field, /*all: context outlines*/ outline_only) + " <layerGeometryType>" + (points ? "0" : "2") + "</layerGeometryType>\n</qgis>\n";
}

}  // namespace

std::string categorized_qml(const std::string& field, const std::vector<std::string>& values,
                            bool points, const std::string& label_field, bool outline_only) {
  // Anything not listed (e.g. empty category) is drawn grey.
  return categorized_labelled_qml(field, values, {}, points, label_field, outline_only,
                                  {{"", "(other)"}});
}

std::string cluster_qml(const std::vector<std::string>& hotspot_ids, bool points, bool noise) {
  // Colours for the first 48 clusters: more cannot be told apart; the rest share a grey class.
  constexpr std::size_t kStyled = 48;
  std::vector<std::string> values, labels;
  for (std::size_t c = 0; c < std::min(hotspot_ids.size(), kStyled); ++c) {
    values.push_back(std::to_string(c));
    labels.push_back(hotspot_ids[c]);
  }
  std::vector<std::pair<std::string, std::string>> greys;
  if (hotspot_ids.size() > kStyled)
    greys.push_back({"", std::to_string(hotspot_ids.size() - kStyled) + " smaller clusters"});
  if (noise) greys.push_back({"-1", "noise"});
  return categorized_labelled_qml("CLUSTER_ID", values, labels, points, points ? "" : "hotspot_id",
                                  false, greys);
}

std::string categorized_colors_qml(const std::string& field, const std::vector<std::string>& values,
                                   const std::vector<std::string>& labels, const std::vector<RGB>& colors, bool points,
                                   int no_fill) {
  std::string cats, symbols;
  for (std::size_t i = 0; i < values.size(); ++i) {
    cats += "   <category value=\"" + xml_escape(values[i]) + "\" symbol=\"" + std::to_string(i) + "\" label=\"" +
            xml_escape(labels[i]) + "\" render=\"true\" type=\"string\"/>\n";
    const bool outline = static_cast<int>(i) == no_fill;
    symbols += points ? marker_symbol(static_cast<int>(i), colors[i])
                      : fill_symbol(static_cast<int>(i), colors[i], outline, nullptr, nullptr, /*invisible=*/outline);
  }
  return header(false) + " <renderer-v2 symbollevels=\"0\" attr=\"" + xml_escape(field) +
         "\" forceraster=\"0\" referencescale=\"-1\" type=\"categorizedSymbol\" enableorderby=\"0\">\n"
         "  <categories>\n" + cats + "  </categories>\n  <symbols>\n" + symbols + "  </symbols>\n </renderer-v2>\n" +
         labeling("") + " <layerGeometryType>" + (points ? "0" : "2") + "</layerGeometryType>\n</qgis>\n";
}

std::string gi_bin_qml(bool points) {
  // ArcGIS's hot spot colours: dark red (99 %) to dark blue (cold, 99 %), pale grey when not significant.
  return categorized_colors_qml(
      "Gi_Bin", {"3", "2", "1", "0", "-1", "-2", "-3"},
      {"Hot spot, 99% confidence", "Hot spot, 95% confidence", "Hot spot, 90% confidence", "Not significant",
       "Cold spot, 90% confidence", "Cold spot, 95% confidence", "Cold spot, 99% confidence"},
      {{215, 48, 39}, {252, 141, 89}, {254, 224, 144}, {242, 242, 242}, {224, 243, 248}, {145, 191, 219}, {69, 117, 180}},
      points, /*no_fill=*/3);
}

std::string cotype_qml(bool points) {
  return categorized_colors_qml("COType", {"HH", "HL", "LH", "LL", ""},
                                {"High-High cluster", "High-Low outlier", "Low-High outlier", "Low-Low cluster",
                                 "Not significant"},
                                {{215, 25, 28}, {253, 174, 97}, {171, 217, 233}, {44, 123, 182}, {242, 242, 242}}, points,
                                /*no_fill=*/4);
}

namespace {

// Below the hotspot threshold: light, neutral (warm greys), so roads and busy streets read as
// background; above it: strong reds. Three tones below and two above at most.
const std::vector<RGB> kBelowThreshold = {{242, 238, 232}, {222, 214, 204}, {196, 185, 172}};
const std::vector<RGB> kAboveThreshold = {{232, 72, 42}, {165, 0, 0}};

// `n` colours spread over `ramp`, first to last (its last alone when n is 1).
std::vector<RGB> spread(const std::vector<RGB>& ramp, std::size_t n) {
  std::vector<RGB> colors;
  for (std::size_t i = 0; i < n; ++i)
    colors.push_back(ramp[n == 1 ? ramp.size() - 1 : i * (ramp.size() - 1) / (n - 1)]);
  return colors;
}

std::string class_label(const DensityClasses& c, std::size_t k) {
  auto bound = [&](std::size_t i) {
    return fmt_label(i == c.hot && c.threshold > 0 ? c.threshold : c.bounds[i]);
  };
  std::string label = k == 0 ? "up to " + bound(1) : bound(k) + " – " + bound(k + 1);
  return k >= c.hot ? label + " (hotspot)" : label;
}

}  // namespace

DensityClasses density_classes_of(std::vector<double> v, double threshold) {
  DensityClasses c;
  v.erase(
      std::remove_if(v.begin(), v.end(), [](double x) { return !(x > 0) || !std::isfinite(x); }),
      v.end());
  if (v.empty()) return c;
  std::sort(v.begin(), v.end());
  const bool split =
      threshold > 0 && std::isfinite(threshold) && v.front() < threshold && v.back() >= threshold;
  if (!split) {
    c.bounds = nice_breaks(quantile_breaks(v, 5));
    c.colors = spread(kReds, c.bounds.size() - 1);
    c.hot = c.colors.size();
  } else {
    const auto at = std::lower_bound(v.begin(), v.end(), threshold);
    const std::vector<double> below(v.begin(), at), above(at, v.end());
    // Below: quantile breaks rounded to two digits, each strictly between its neighbours.
    c.bounds = {round_2sig(v.front(), -1)};
    const std::vector<double> qb = quantile_breaks(below, 3);
    for (std::size_t i = 1; i + 1 < qb.size(); ++i) {
      const double b = round_2sig(qb[i], 0);
      if (b > c.bounds.back() && b < threshold) c.bounds.push_back(b);
    }
    float below_threshold = static_cast<float>(threshold);
    if (static_cast<double>(below_threshold) >= threshold)
      below_threshold = std::nextafter(below_threshold, -HUGE_VALF);
    while (c.bounds.size() > 1 && c.bounds.back() >= below_threshold) c.bounds.pop_back();
    if (c.bounds.back() >= below_threshold) c.bounds.back() = 0;  // v.front() rounds to it
    c.bounds.push_back(below_threshold);
    c.hot = c.bounds.size() - 1;
    c.threshold = threshold;
    const double top = round_2sig(v.back(), 1);
    const std::vector<double> qa = quantile_breaks(above, 2);
    if (qa.size() == 3) {
      const double median = round_2sig(qa[1], 0);
      if (median > threshold && median < top) c.bounds.push_back(median);
    }
    c.bounds.push_back(std::max(top, threshold));
    c.colors = spread(kBelowThreshold, c.hot);
    for (const RGB& k : spread(kAboveThreshold, c.bounds.size() - 1 - c.hot)) c.colors.push_back(k);
  }
  for (std::size_t k = 0; k < c.colors.size(); ++k) c.labels.push_back(class_label(c, k));
  return c;
}

DensityClasses density_classes(const std::vector<float>& values, float nodata, double threshold) {
  std::int64_t n_positive = 0;
  for (float v : values) n_positive += v != nodata && v > 0;
  const std::int64_t step = std::max<std::int64_t>(1, n_positive / 100000);
  std::vector<double> sample;
  std::int64_t k = 0;
  for (float v : values)
    if (v != nodata && v > 0 && k++ % step == 0) sample.push_back(v);
  return density_classes_of(std::move(sample), threshold);
}

std::string density_renderer_xml(const DensityClasses& c) {
  char buf[32];
  auto hexcol = [&](RGB col) {
    std::snprintf(buf, sizeof buf, "#%02x%02x%02x", col.r, col.g, col.b);
    return std::string(buf);
  };
  // Classes between rounded stops ("2,000 – 4,000"), each drawn in one colour: a legend of
  // classes reads at a glance, a continuous ramp of 0.000285 … 1,035.59 does not. In QGIS's
  // discrete mode an item's value is its class's upper bound.
  const double lo = 0, hi = c.bounds.empty() ? 1 : c.bounds.back();
  std::string items = "        <item label=\"0\" value=\"0\" color=\"#ffffff\" alpha=\"0\"/>\n";
  for (std::size_t k = 0; k < c.size(); ++k)
    items += "        <item label=\"" + xml_escape(c.labels[k]) + "\" value=\"" +
             fmt_number(c.bounds[k + 1]) + "\" color=\"" + hexcol(c.colors[k]) + "\" alpha=\"" +
             (k == 0 ? "160" : "230") + "\"/>\n";
  return "    <rasterrenderer alphaBand=\"-1\" classificationMin=\"" + fmt_number(lo) + "\" type=\"singlebandpseudocolor\" "
         "classificationMax=\"" + fmt_number(hi) + "\" opacity=\"1\" nodataColor=\"\" band=\"1\">\n"
         "     <minMaxOrigin>\n      <limits>None</limits>\n      <extent>WholeRaster</extent>\n"
         "      <statAccuracy>Estimated</statAccuracy>\n      <cumulativeCutLower>0.02</cumulativeCutLower>\n"
         "      <cumulativeCutUpper>0.98</cumulativeCutUpper>\n      <stdDevFactor>2</stdDevFactor>\n     </minMaxOrigin>\n"
         "     <rastershader>\n      <colorrampshader clip=\"0\" minimumValue=\"" + fmt_number(lo) + "\" labelPrecision=\"4\" "
         "colorRampType=\"DISCRETE\" classificationMode=\"1\" maximumValue=\"" + fmt_number(hi) + "\">\n" + items +
         "      </colorrampshader>\n     </rastershader>\n    </rasterrenderer>\n";
}

std::string raster_qml(const std::string& renderer_xml) {
  return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n<qgis version=\"3.22.16-Białowieża\" "
         "styleCategories=\"Symbology\">\n  <pipe>\n" + renderer_xml +
         "    <brightnesscontrast brightness=\"0\" contrast=\"0\" gamma=\"1\"/>\n"
         "    <huesaturation grayscaleMode=\"0\" saturation=\"0\" colorizeOn=\"0\"/>\n"
         "    <rasterresampler maxOversampling=\"2\"/>\n  </pipe>\n  <blendMode>0</blendMode>\n</qgis>\n";
}

}  // namespace hotspot
