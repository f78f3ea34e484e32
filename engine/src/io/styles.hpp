#pragma once
// QGIS default styles (QML, as QGIS 3.22 writes it) for the layers we write. The renderer is never
// a single symbol: rates are graduated, categories are categorised.
#include <string>
#include <vector>

namespace hotspot {

struct RGB {
  int r, g, b;
};

// Fill polygons by `field` in classes [breaks[i], breaks[i+1]); colours run light to dark.
// `label_field` (may be empty) labels each polygon.
std::string graduated_fill_qml(const std::string& field, const std::vector<double>& breaks,
                               const std::string& label_field);

// One colour per value of `field`; polygons (fill) or points (marker).
std::string categorized_qml(const std::string& field, const std::vector<std::string>& values,
                            bool points, const std::string& label_field, bool outline_only = false);

// Up to `classes` quantile breaks of the finite values (first = min, last = max); fewer when
// values repeat.
// One explicit colour and label per value of `field`.
std::string categorized_colors_qml(const std::string& field, const std::vector<std::string>& values,
                                   const std::vector<std::string>& labels, const std::vector<RGB>& colors, bool points);
// Gi_Bin -3..3 as a diverging red/blue scheme; COType HH/HL/LH/LL in four colours.
std::string gi_bin_qml(bool points);
std::string cotype_qml(bool points);

std::vector<double> quantile_breaks(std::vector<double> values, int classes);

std::string xml_escape(const std::string& s);

}  // namespace hotspot
