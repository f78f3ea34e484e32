#include "io/lines.hpp"

#include <cmath>

#include "crs/transform.hpp"
#include "hotspot/error.hpp"
#include "io/gdal_util.hpp"

namespace hotspot {

std::vector<std::vector<XY>> read_lines(const LineOptions& o, const Crs& work, const std::string& what) {
  register_gdal_once();
  DatasetPtr ds = open_vector(o.path, what);
  OGRLayer* layer = pick_layer(*ds, o.layer, what);
  const Crs source = layer_crs(*ds, *layer, o.crs, what, what + ".crs");
  const Transformer t(source, work);
  std::vector<std::vector<XY>> out;
  std::int64_t feature = 0;
  auto add = [&](const OGRLineString& ls) {
    std::vector<double> x, y;
    for (int i = 0; i < ls.getNumPoints(); ++i) {
      x.push_back(ls.getX(i));
      y.push_back(ls.getY(i));
    }
    if (x.size() < 2) return;
    if (t.transform(x.size(), x.data(), y.data()) > 0)
      throw InputError(what + " '" + o.path + "': feature " + std::to_string(feature) +
                       " has a vertex that cannot be transformed to " + work.label());
    std::vector<XY> line;
    for (std::size_t i = 0; i < x.size(); ++i) line.push_back({x[i], y[i]});
    out.push_back(std::move(line));
  };
  for_each_feature(*layer, what, o.path, [&](OGRFeature& f) {
    ++feature;
    const OGRGeometry* g = f.GetGeometryRef();
    if (!g || g->IsEmpty()) return;
    switch (wkbFlatten(g->getGeometryType())) {
      case wkbLineString: add(*g->toLineString()); break;
      case wkbMultiLineString:
        for (const OGRLineString* part : *g->toMultiLineString()) add(*part);
        break;
      default:
        throw InputError(what + " '" + o.path + "': feature " + std::to_string(feature) + " is a " +
                         OGRGeometryTypeToName(g->getGeometryType()) + ", not a line");
    }
  });
  return out;
}

}  // namespace hotspot
