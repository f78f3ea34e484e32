#include "io/styles.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>

namespace hotspot {

namespace {

// ColorBrewer-like ramps, chosen to read on a white or OpenStreetMap background.
const std::vector<RGB> kReds = {{254, 240, 217}, {253, 204, 138}, {252, 141, 89}, {227, 74, 51}, {179, 0, 0}};
const std::vector<RGB> kQualitative = {{31, 120, 180}, {227, 26, 28}, {51, 160, 44}, {255, 127, 0},
                                       {106, 61, 154}, {177, 89, 40}, {166, 206, 227}, {251, 154, 153},
                                       {178, 223, 138}, {253, 191, 111}, {202, 178, 214}, {255, 255, 153}};

std::string color(RGB c, int alpha = 255) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%d,%d,%d,%d", c.r, c.g, c.b, alpha);
  return buf;
}

std::string option(const std::string& name, const std::string& value) {
  return "      <Option value=\"" + xml_escape(value) + "\" name=\"" + name + "\" type=\"QString\"/>\n";
}

std::string fill_symbol(int id, RGB c, bool outline_only) {
  std::string s = "   <symbol name=\"" + std::to_string(id) +
                  "\" clip_to_extent=\"1\" type=\"fill\" alpha=\"1\" force_rhr=\"0\">\n"
                  "    <layer locked=\"0\" class=\"SimpleFill\" enabled=\"1\" pass=\"0\">\n     <Option type=\"Map\">\n";
  s += option("color", color(c, outline_only ? 0 : 220));
  s += option("outline_color", outline_only ? color(c) : "90,90,90,255");
  s += option("outline_style", "solid");
  s += option("outline_width", outline_only ? "0.8" : "0.26");
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

std::string labeling(const std::string& field) {
  if (field.empty()) return "";
  return " <labeling type=\"simple\">\n  <settings calloutType=\"simple\">\n"
         "   <text-style fieldName=\"" + xml_escape(field) + "\" isExpression=\"0\" fontSize=\"9\" "
         "fontSizeUnit=\"Point\" textColor=\"30,30,30,255\" fontWeight=\"50\" fontItalic=\"0\" "
         "fontFamily=\"Sans Serif\" textOpacity=\"1\">\n"
         "    <text-buffer bufferDraw=\"1\" bufferSize=\"0.8\" bufferSizeUnits=\"MM\" bufferColor=\"255,255,255,255\" bufferOpacity=\"1\"/>\n"
         "   </text-style>\n   <placement placement=\"0\" centroidWhole=\"1\" centroidInside=\"1\"/>\n"
         "   <rendering scaleVisibility=\"0\" obstacle=\"1\"/>\n  </settings>\n </labeling>\n";
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

std::string fmt_label(double v) {
  char buf[64];
  if (std::abs(v) >= 100 || v == std::floor(v))
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else
    std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

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

std::string graduated_fill_qml(const std::string& field, const std::vector<double>& breaks,
                               const std::string& label_field) {
  std::string ranges, symbols;
  const std::size_t n = breaks.size() - 1;
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t ci = n == 1 ? kReds.size() - 1 : i * (kReds.size() - 1) / (n - 1);
    ranges += "   <range lower=\"" + fmt_number(breaks[i]) + "\" upper=\"" + fmt_number(breaks[i + 1]) +
              "\" symbol=\"" + std::to_string(i) + "\" label=\"" + fmt_label(breaks[i]) + " – " +
              fmt_label(breaks[i + 1]) + "\" render=\"true\"/>\n";
    symbols += fill_symbol(static_cast<int>(i), kReds[ci], false);
  }
  return header(!label_field.empty()) + " <renderer-v2 symbollevels=\"0\" attr=\"" + xml_escape(field) +
         "\" forceraster=\"0\" referencescale=\"-1\" type=\"graduatedSymbol\" enableorderby=\"0\" "
         "graduatedMethod=\"GraduatedColor\">\n  <ranges>\n" + ranges + "  </ranges>\n  <symbols>\n" + symbols +
         "  </symbols>\n  <classificationMethod id=\"Quantile\">\n   <labelFormat trimtrailingzeroes=\"1\" "
         "format=\"%1 – %2\" labelprecision=\"2\"/>\n  </classificationMethod>\n </renderer-v2>\n" +
         labeling(label_field) + " <layerGeometryType>2</layerGeometryType>\n</qgis>\n";
}

std::string categorized_qml(const std::string& field, const std::vector<std::string>& values, bool points,
                            const std::string& label_field, bool outline_only) {
  std::string cats, symbols;
  for (std::size_t i = 0; i < values.size(); ++i) {
    RGB c = kQualitative[i % kQualitative.size()];
    cats += "   <category value=\"" + xml_escape(values[i]) + "\" symbol=\"" + std::to_string(i) + "\" label=\"" +
            xml_escape(values[i]) + "\" render=\"true\" type=\"string\"/>\n";
    symbols += points ? marker_symbol(static_cast<int>(i), c) : fill_symbol(static_cast<int>(i), c, outline_only);
  }
  // Anything not listed (e.g. empty category) is drawn grey.
  const int other = static_cast<int>(values.size());
  cats += "   <category value=\"\" symbol=\"" + std::to_string(other) + "\" label=\"(other)\" render=\"true\"/>\n";
  symbols += points ? marker_symbol(other, {150, 150, 150}) : fill_symbol(other, {150, 150, 150}, outline_only);
  return header(!label_field.empty()) + " <renderer-v2 symbollevels=\"0\" attr=\"" + xml_escape(field) +
         "\" forceraster=\"0\" referencescale=\"-1\" type=\"categorizedSymbol\" enableorderby=\"0\">\n"
         "  <categories>\n" + cats + "  </categories>\n  <symbols>\n" + symbols + "  </symbols>\n </renderer-v2>\n" +
         labeling(label_field) + " <layerGeometryType>" + (points ? "0" : "2") + "</layerGeometryType>\n</qgis>\n";
}

std::string categorized_colors_qml(const std::string& field, const std::vector<std::string>& values,
                                   const std::vector<std::string>& labels, const std::vector<RGB>& colors, bool points) {
  std::string cats, symbols;
  for (std::size_t i = 0; i < values.size(); ++i) {
    cats += "   <category value=\"" + xml_escape(values[i]) + "\" symbol=\"" + std::to_string(i) + "\" label=\"" +
            xml_escape(labels[i]) + "\" render=\"true\" type=\"string\"/>\n";
    symbols += points ? marker_symbol(static_cast<int>(i), colors[i]) : fill_symbol(static_cast<int>(i), colors[i], false);
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
      points);
}

std::string cotype_qml(bool points) {
  return categorized_colors_qml("COType", {"HH", "HL", "LH", "LL", ""},
                                {"High-High cluster", "High-Low outlier", "Low-High outlier", "Low-Low cluster",
                                 "Not significant"},
                                {{215, 25, 28}, {253, 174, 97}, {171, 217, 233}, {44, 123, 182}, {242, 242, 242}}, points);
}

std::vector<RGB> density_stop_colors(std::size_t n) {
  std::vector<RGB> colors;
  for (std::size_t i = 0; i < n; ++i)
    colors.push_back(kReds[n == 1 ? kReds.size() - 1 : i * (kReds.size() - 1) / (n - 1)]);
  return colors;
}

std::vector<double> density_stops(const std::vector<float>& values, float nodata, int classes) {
  std::int64_t n_positive = 0;
  for (float v : values) n_positive += v != nodata && v > 0;
  const std::int64_t step = std::max<std::int64_t>(1, n_positive / 100000);
  std::vector<double> sample;
  std::int64_t k = 0;
  for (float v : values)
    if (v != nodata && v > 0 && k++ % step == 0) sample.push_back(v);
  return quantile_breaks(std::move(sample), classes);
}

std::string density_renderer_xml(const std::vector<double>& stops) {
  char buf[32];
  auto hexcol = [&](RGB c) {
    std::snprintf(buf, sizeof buf, "#%02x%02x%02x", c.r, c.g, c.b);
    return std::string(buf);
  };
  const double lo = 0, hi = stops.empty() ? 1 : stops.back();
  const std::vector<RGB> colors = density_stop_colors(stops.size());
  std::string items = "        <item label=\"0\" value=\"0\" color=\"#ffffff\" alpha=\"0\"/>\n";
  for (std::size_t i = 0; i < stops.size(); ++i) {
    if (!(stops[i] > 0)) continue;
    items += "        <item label=\"" + fmt_label(stops[i]) + "\" value=\"" + fmt_number(stops[i]) + "\" color=\"" +
             hexcol(colors[i]) + "\" alpha=\"" + (i == 0 ? "160" : "230") + "\"/>\n";
  }
  return "    <rasterrenderer alphaBand=\"-1\" classificationMin=\"" + fmt_number(lo) + "\" type=\"singlebandpseudocolor\" "
         "classificationMax=\"" + fmt_number(hi) + "\" opacity=\"1\" nodataColor=\"\" band=\"1\">\n"
         "     <minMaxOrigin>\n      <limits>None</limits>\n      <extent>WholeRaster</extent>\n"
         "      <statAccuracy>Estimated</statAccuracy>\n      <cumulativeCutLower>0.02</cumulativeCutLower>\n"
         "      <cumulativeCutUpper>0.98</cumulativeCutUpper>\n      <stdDevFactor>2</stdDevFactor>\n     </minMaxOrigin>\n"
         "     <rastershader>\n      <colorrampshader clip=\"0\" minimumValue=\"" + fmt_number(lo) + "\" labelPrecision=\"4\" "
         "colorRampType=\"INTERPOLATED\" classificationMode=\"1\" maximumValue=\"" + fmt_number(hi) + "\">\n" + items +
         "      </colorrampshader>\n     </rastershader>\n    </rasterrenderer>\n";
}

std::string raster_qml(const std::string& renderer_xml) {
  return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n<qgis version=\"3.22.16-Białowieża\" "
         "styleCategories=\"Symbology\">\n  <pipe>\n" + renderer_xml +
         "    <brightnesscontrast brightness=\"0\" contrast=\"0\" gamma=\"1\"/>\n"
         "    <huesaturation grayscaleMode=\"0\" saturation=\"0\" colorizeOn=\"0\"/>\n"
         "    <rasterresampler maxOversampling=\"2\"/>\n  </pipe>\n  <blendMode>0</blendMode>\n</qgis>\n";
}

namespace {

std::string srs_xml(const std::string& authid, const std::string& wkt) {
  return "<srs><spatialrefsys><wkt>" + xml_escape(wkt) + "</wkt><authid>" + xml_escape(authid) +
         "</authid></spatialrefsys></srs>";
}

// The body of a QML document: everything inside its <qgis> element.
std::string qml_body(const std::string& qml) {
  auto open = qml.find("<qgis");
  if (open == std::string::npos) return "";
  auto start = qml.find('>', open);
  auto end = qml.rfind("</qgis>");
  if (start == std::string::npos || end == std::string::npos || end < start) return "";
  return qml.substr(start + 1, end - start - 1);
}

std::string extent_xml(const Box& b) {
  if (b.empty()) return "";
  return "<extent><xmin>" + fmt_number(b.xmin) + "</xmin><ymin>" + fmt_number(b.ymin) + "</ymin><xmax>" +
         fmt_number(b.xmax) + "</xmax><ymax>" + fmt_number(b.ymax) + "</ymax></extent>";
}

}  // namespace

std::string qgis_project_xml(const std::string& title, const std::string& crs_authid, const std::string& crs_wkt,
                             const std::vector<ProjectLayer>& layers) {
  const std::string srs = srs_xml(crs_authid, crs_wkt);
  std::string tree, order, maplayers;
  Box all;
  for (const auto& l : layers) {
    all.expand(l.extent);
    // QGIS 3.22 keeps a layer id from the project only when it is longer than 10 characters
    // (QgsMapLayer::readLayerXml); a shorter one is replaced by a random id, and the layer tree
    // entry that names it then points at nothing.
    const std::string id = xml_escape("hotspot_layer_" + l.id);
    const bool points = l.style.find("<layerGeometryType>0</layerGeometryType>") != std::string::npos;
    tree += "  <layer-tree-layer name=\"" + xml_escape(l.name) + "\" checked=\"Qt::Checked\" expanded=\"1\" providerKey=\"" +
            (l.raster ? "gdal" : "ogr") + "\" source=\"" + xml_escape(l.datasource) + "\" id=\"" + id + "\"/>\n";
    order += "  <layer id=\"" + id + "\"/>\n";
    maplayers += std::string("  <maplayer type=\"") + (l.raster ? "raster" : "vector") + "\"" +
                 (l.raster ? "" : points ? " geometry=\"Point\" wkbType=\"Point\"" : " geometry=\"Polygon\" wkbType=\"MultiPolygon\"") +
                 " styleCategories=\"AllStyleCategories\" hasScaleBasedVisibilityFlag=\"0\">\n   " + extent_xml(l.extent) +
                 "\n   <id>" + id + "</id>\n   <datasource>" + xml_escape(l.datasource) +
                 "</datasource>\n   <layername>" + xml_escape(l.name) + "</layername>\n   " + srs + "\n   <provider>" +
                 (l.raster ? "gdal" : "ogr") + "</provider>\n";
    if (l.raster)
      maplayers += "   <noData><noDataList bandNo=\"1\" useSrcNoData=\"1\"/></noData>\n   <pipe>\n" + l.style +
                   "    <brightnesscontrast brightness=\"0\" contrast=\"0\" gamma=\"1\"/>\n"
                   "    <rasterresampler maxOversampling=\"2\"/>\n   </pipe>\n   <blendMode>0</blendMode>\n";
    else
      maplayers += qml_body(l.style);
    maplayers += "  </maplayer>\n";
  }
  return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n<qgis version=\"3.22.16-Białowieża\" projectname=\"" +
         xml_escape(title) + "\">\n <homePath path=\"\"/>\n <title>" + xml_escape(title) + "</title>\n <projectCrs>" +
         srs.substr(5, srs.size() - 11) + "</projectCrs>\n <layer-tree-group>\n" + tree +
         " </layer-tree-group>\n <projectlayers>\n" + maplayers + " </projectlayers>\n <layerorder>\n" + order +
         " </layerorder>\n <mapcanvas name=\"theMapCanvas\"><units>meters</units>" + extent_xml(all) +
         "<destinationsrs>" + srs.substr(5, srs.size() - 11) + "</destinationsrs></mapcanvas>\n"
         " <properties><Paths><Absolute type=\"bool\">false</Absolute></Paths></properties>\n</qgis>\n";
}

}  // namespace hotspot
