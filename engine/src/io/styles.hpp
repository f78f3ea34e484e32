#pragma once
// QGIS default styles (QML, as QGIS 3.22 writes it) for the layers we write. The renderer is never
// a single symbol: rates are graduated, categories are categorised.
#include <string>
#include <vector>

#include "hotspot/geometry.hpp"

namespace hotspot {

struct RGB {
  int r, g, b;
};

// Fill polygons by `field` in classes [breaks[i], breaks[i+1]) (rounded by nice_breaks, each
// labelled "2,000 – 4,000 `unit`"); colours run light to dark, or, when `strong` (hotspot zones),
// mid to dark with wide dark-red outlines and bold labels that are always drawn.
// `label_field` (may be empty) labels each polygon; `label_all` even where labels collide.
std::string graduated_fill_qml(const std::string& field, const std::vector<double>& breaks,
                               const std::string& label_field, const std::string& unit = "",
                               bool strong = false, bool label_all = false);
// Outlines only, one symbol, `width_mm` wide, labelled by `label_field` (every label when
// `label_all`).
std::string outline_qml(RGB c, double width_mm, const std::string& label_field, bool label_all);

// One colour per value of `field`; polygons (fill) or points (marker).
std::string categorized_qml(const std::string& field, const std::vector<std::string>& values,
                            bool points, const std::string& label_field, bool outline_only = false);

// Clusters (points or footprints) by CLUSTER_ID 0, 1, …, each under its hotspot_id ("C1", "C7":
// hotspot_ids[CLUSTER_ID]) in the legend, as the footprints are labelled; footprints are labelled
// by hotspot_id. With `noise`, CLUSTER_ID -1 is drawn grey as "noise".
std::string cluster_qml(const std::vector<std::string>& hotspot_ids, bool points, bool noise);

// Up to `classes` quantile breaks of the finite values (first = min, last = max); fewer when
// values repeat.
// One explicit colour and label per value of `field`; polygons of values[no_fill] (if >= 0) are
// listed but drawn with neither fill nor outline ("not significant" must not cover anything).
std::string categorized_colors_qml(const std::string& field, const std::vector<std::string>& values,
                                   const std::vector<std::string>& labels, const std::vector<RGB>& colors, bool points,
                                   int no_fill = -1);
// Gi_Bin -3..3 as a diverging red/blue scheme; COType HH/HL/LH/LL in four colours; "not
// significant" unfilled.
std::string gi_bin_qml(bool points);
std::string cotype_qml(bool points);

std::vector<double> quantile_breaks(std::vector<double> values, int classes);

// `v` to two significant digits: rounded (direction 0), down (-1) or up (+1).
double round_2sig(double v, int direction);
// Class breaks a legend can show: the first rounded down and the last up to two significant
// digits (so every value stays inside), the others rounded; repeats dropped.
std::vector<double> nice_breaks(const std::vector<double>& breaks);
// A legend number: thousands grouped ("2,000", "12,500"), else two significant digits ("0.35",
// "0.000012"), never an exponent.
std::string legend_number(double v);

std::string xml_escape(const std::string& s);

// The density surface's legend classes: one computation for the QGIS style (density_renderer_xml)
// and the quick-look PNG, so both draw the same classes in the same colours.
struct DensityClasses {
  // Class k (0-based) is (bounds[k], bounds[k + 1]]; the first reaches down to 0, the last is
  // open above. Rounded to two significant digits, except at the hotspot threshold: there the
  // largest float below it, so a cell belongs to a hot class exactly when it is in a hotspot zone
  // (density >= threshold; the raster holds floats).
  std::vector<double> bounds;
  double threshold = -1;    // the hotspot threshold the labels show; -1 without one
  std::vector<RGB> colors;  // one per class
  // One per class: "up to 210", "210 – 490", "5,614 – 9,800 (hotspot)".
  std::vector<std::string> labels;
  // The first class at or above the hotspot threshold (bounds[hot] is just below it); the number
  // of classes when there is none.
  std::size_t hot = 0;
  std::size_t size() const { return colors.size(); }
};
// Classes of a density surface's positive cells (an even sample of at most ~100,000: quantiles
// need no more). With a hotspot `threshold` (the zone rule's density, > 0) inside the positive
// range, the threshold is a class break: up to three quantile classes below it in light neutral
// tones, up to two above it (split at their median) in strong reds, so what the hotspot zones
// hold stands out from the rest of the surface. Without one (threshold < 0, or none of the cells
// or all of them above it): five quantile classes on a light-to-dark red ramp. Empty without a
// positive cell.
DensityClasses density_classes(const std::vector<float>& values, float nodata,
                               double threshold = -1);
// The same from values already sampled (finite, positive, any order); for tests.
DensityClasses density_classes_of(std::vector<double> sample, double threshold = -1);
// A single-band pseudocolour <rasterrenderer> for a density surface: transparent at 0, then each
// class in its colour (QGIS's discrete mode, an item's value its class's upper bound).
std::string density_renderer_xml(const DensityClasses& classes);
// A raster .qml holding that renderer (QGIS reads OUT.qml beside OUT.tif as the default style).
std::string raster_qml(const std::string& renderer_xml);

// One layer of a QGIS project stored with the data.
struct ProjectLayer {
  std::string id, name;
  std::string datasource;  // e.g. "GPKG:./out.gpkg:density" or "./out.gpkg|layername=hotspot_zones"
  bool raster = false;
  std::string style;       // raster: density_renderer_xml(); vector: a layer QML (its <qgis> body is used)
  Box extent;
  std::string group;       // layer-tree group: "Hotspots", "Context" or "Details"; DEFAULT "": top level
  bool visible = true;     // checked when the project opens
  double opacity = 1;      // of the whole layer, 0..1
};
// A .qgs project (QGIS 3.22) in `crs` (authority "EPSG:n" or WKT) with the layers, first on top,
// under their groups (Hotspots, Context, Details, then others as they appear), then, with
// `basemap`, an OpenStreetMap XYZ layer, switched off. The project CRS is valid with on-the-fly
// reprojection, so a WGS 84 layer or the basemap added to it lines up; planar data (no CRS)
// cannot line up with a basemap, so it gets none. Paths are relative ("./file.gpkg"), so the
// project follows the GeoPackage it is stored in.
std::string qgis_project_xml(const std::string& title, const std::string& crs_authid, const std::string& crs_wkt,
                             const std::vector<ProjectLayer>& layers, bool basemap);

}  // namespace hotspot
