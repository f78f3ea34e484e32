// The QGIS project stored in the GeoPackage: what a planner sees on opening it.
#include <cstdio>
#include <algorithm>
#include <string>
#include <vector>

#include "io/styles.hpp"

namespace hotspot {

namespace {

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

// With `srsid` (QGIS's own number of a CRS in its database, here only for EPSG:3857) QGIS
// builds the CRS from the authid; otherwise from the WKT, then the PROJ string.
std::string srs_xml(const std::string& authid, const std::string& wkt, const std::string& proj4 = "",
                    const std::string& srsid = "") {
  return "<spatialrefsys><wkt>" + xml_escape(wkt) + "</wkt>" +
         (srsid.empty() ? "" : "<srsid>" + srsid + "</srsid>") +
         (proj4.empty() ? "" : "<proj4>" + xml_escape(proj4) + "</proj4>") + "<authid>" + xml_escape(authid) +
         "</authid></spatialrefsys>";
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
  return "<extent><xmin>" + number(b.xmin) + "</xmin><ymin>" + number(b.ymin) + "</ymin><xmax>" +
         number(b.xmax) + "</xmax><ymax>" + number(b.ymax) + "</ymax></extent>";
}

std::string checked(bool on) { return on ? "Qt::Checked" : "Qt::Unchecked"; }

// OpenStreetMap's standard tiles, in their own CRS (QGIS reprojects them on the fly).
const char* kOsmSource = "type=xyz&url=https://tile.openstreetmap.org/{z}/{x}/{y}.png&zmax=19&zmin=0";
const char* kWebMercatorProj4 =
    "+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null "
    "+wktext +no_defs";

}  // namespace

std::string qgis_project_xml(const std::string& title, const std::string& crs_authid, const std::string& crs_wkt,
                             const std::vector<ProjectLayer>& layers, bool basemap) {
  const std::string srs = srs_xml(crs_authid, crs_wkt);
  // Groups: Hotspots, Context, Details, then any other in order of first appearance; layers keep
  // their order inside a group.
  std::vector<std::string> groups;
  for (const char* g : {"Hotspots", "Context", "Details"})
    for (const auto& l : layers)
      if (l.group == g) {
        groups.push_back(g);
        break;
      }
  for (const auto& l : layers)
    if (!l.group.empty() && std::find(groups.begin(), groups.end(), l.group) == groups.end())
      groups.push_back(l.group);
  std::vector<std::string> group_tree(groups.size());
  std::string top_tree, order, maplayers;
  Box all;
  for (const auto& l : layers) {
    all.expand(l.extent);
    // QGIS 3.22 keeps a layer id from the project only when it is longer than 10 characters
    // (QgsMapLayer::readLayerXml); a shorter one is replaced by a random id, and the layer tree
    // entry that names it then points at nothing.
    const std::string id = xml_escape("hotspot_layer_" + l.id);
    const bool points = l.style.find("<layerGeometryType>0</layerGeometryType>") != std::string::npos;
    const std::string entry = "   <layer-tree-layer name=\"" + xml_escape(l.name) + "\" checked=\"" +
                              checked(l.visible) + "\" expanded=\"0\" providerKey=\"" + (l.raster ? "gdal" : "ogr") +
                              "\" source=\"" + xml_escape(l.datasource) + "\" id=\"" + id + "\"/>\n";
    if (l.group.empty()) {
      top_tree += entry;
    } else {
      const auto g = static_cast<std::size_t>(std::find(groups.begin(), groups.end(), l.group) - groups.begin());
      group_tree[g] += entry;
    }
    order += "   <item>" + id + "</item>\n";
    maplayers += std::string("  <maplayer type=\"") + (l.raster ? "raster" : "vector") + "\"" +
                 (l.raster ? "" : points ? " geometry=\"Point\" wkbType=\"Point\"" : " geometry=\"Polygon\" wkbType=\"MultiPolygon\"") +
                 " styleCategories=\"AllStyleCategories\" hasScaleBasedVisibilityFlag=\"0\">\n   " + extent_xml(l.extent) +
                 "\n   <id>" + id + "</id>\n   <datasource>" + xml_escape(l.datasource) +
                 "</datasource>\n   <layername>" + xml_escape(l.name) + "</layername>\n   <srs>" + srs +
                 "</srs>\n   <provider>" + (l.raster ? "gdal" : "ogr") + "</provider>\n";
    if (l.raster) {
      std::string renderer = l.style;
      const std::string full = "opacity=\"1\"";
      if (auto at = renderer.find(full); at != std::string::npos)
        renderer.replace(at, full.size(), "opacity=\"" + number(l.opacity) + "\"");
      maplayers += "   <noData><noDataList bandNo=\"1\" useSrcNoData=\"1\"/></noData>\n   <pipe>\n" + renderer +
                   "    <brightnesscontrast brightness=\"0\" contrast=\"0\" gamma=\"1\"/>\n"
                   "    <rasterresampler maxOversampling=\"2\"/>\n   </pipe>\n   <blendMode>0</blendMode>\n";
    } else {
      maplayers += qml_body(l.style) + "   <layerOpacity>" + number(l.opacity) + "</layerOpacity>\n";
    }
    maplayers += "  </maplayer>\n";
  }
  // The basemap, last: under everything, and off (it needs the internet).
  if (basemap) {
    const std::string osm_id = "hotspot_layer_openstreetmap";
    top_tree += "   <layer-tree-layer name=\"OpenStreetMap (needs internet)\" checked=\"Qt::Unchecked\" expanded=\"0\" "
                "providerKey=\"wms\" source=\"" + xml_escape(kOsmSource) + "\" id=\"" + osm_id + "\"/>\n";
    order += "   <item>" + osm_id + "</item>\n";
    maplayers += "  <maplayer type=\"raster\" styleCategories=\"AllStyleCategories\" hasScaleBasedVisibilityFlag=\"0\">\n"
                 "   <id>" + osm_id + "</id>\n   <datasource>" + xml_escape(kOsmSource) +
                 "</datasource>\n   <layername>OpenStreetMap (needs internet)</layername>\n   <srs>" +
                 srs_xml("EPSG:3857", "", kWebMercatorProj4, "3857") + "</srs>\n   <provider>wms</provider>\n"
                 "   <pipe>\n    <rasterrenderer type=\"singlebandcolordata\" band=\"1\" opacity=\"1\" alphaBand=\"-1\" "
                 "nodataColor=\"\"/>\n    <brightnesscontrast brightness=\"0\" contrast=\"0\" gamma=\"1\"/>\n"
                 "    <rasterresampler maxOversampling=\"2\"/>\n   </pipe>\n   <blendMode>0</blendMode>\n  </maplayer>\n";
  }

  std::string tree;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    // A group is checked when any of its layers is, so switching a layer on shows it.
    const bool any = group_tree[g].find("Qt::Checked") != std::string::npos;
    tree += "  <layer-tree-group name=\"" + xml_escape(groups[g]) + "\" checked=\"" + checked(any) +
            "\" expanded=\"1\">\n   <customproperties/>\n" + group_tree[g] + "  </layer-tree-group>\n";
  }
  tree += top_tree;
  // ProjectionsEnabled: without it QGIS 3.22 ignores <projectCrs>, the project CRS is invalid and
  // a WGS 84 layer or a basemap added to the project does not line up.
  return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n<qgis version=\"3.22.16-Białowieża\" projectname=\"" +
         xml_escape(title) + "\">\n <homePath path=\"\"/>\n <title>" + xml_escape(title) + "</title>\n <projectCrs>" +
         srs + "</projectCrs>\n <layer-tree-group>\n  <customproperties/>\n" + tree +
         "  <custom-order enabled=\"1\">\n" + order + "  </custom-order>\n </layer-tree-group>\n <projectlayers>\n" +
         maplayers + " </projectlayers>\n <mapcanvas name=\"theMapCanvas\"><units>meters</units>" + extent_xml(all) +
         "<destinationsrs>" + srs + "</destinationsrs><rendermaptile>0</rendermaptile></mapcanvas>\n"
         " <properties>\n  <Paths><Absolute type=\"bool\">false</Absolute></Paths>\n"
         "  <SpatialRefSys><ProjectionsEnabled type=\"int\">1</ProjectionsEnabled></SpatialRefSys>\n"
         " </properties>\n</qgis>\n";
}

}  // namespace hotspot
