#pragma once
// GDAL at the edge: RAII dataset handles and a scope that turns GDAL's global error state into
// messages we can put into our own typed exceptions.
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <memory>
#include <string>
#include <vector>

#include "hotspot/crs.hpp"

namespace hotspot {

struct GdalDatasetCloser {
  void operator()(GDALDataset* ds) const { GDALClose(ds); }
};
using DatasetPtr = std::unique_ptr<GDALDataset, GdalDatasetCloser>;

struct FeatureDeleter {
  void operator()(OGRFeature* f) const { OGRFeature::DestroyFeature(f); }
};
using FeaturePtr = std::unique_ptr<OGRFeature, FeatureDeleter>;

// While alive, GDAL errors and warnings are collected here instead of printed to stderr.
class GdalErrorScope {
 public:
  GdalErrorScope();
  ~GdalErrorScope();
  GdalErrorScope(const GdalErrorScope&) = delete;
  GdalErrorScope& operator=(const GdalErrorScope&) = delete;
  const std::string& last() const { return last_; }

 private:
  static void CPL_STDCALL handler(CPLErr, CPLErrorNum, const char* msg);
  std::string last_;
};

void register_gdal_once();
// Opens a vector source read-only; throws IoError naming `what` and GDAL's reason.
// `open_options`: GDAL open options ("KEY=VALUE"), e.g. the CSV driver's X_POSSIBLE_NAMES.
DatasetPtr open_vector(const std::string& path, const std::string& what,
                       const std::vector<std::string>& open_options = {});
// The named layer, or the first one; throws InputError listing the layers present.
OGRLayer* pick_layer(GDALDataset& ds, const std::string& name, const std::string& what);

// The CRS of a layer: `override` when given, else the source's. A GeoPackage layer with srs_id -1
// (the spec's undefined Cartesian SRS) is planar. A layer with no CRS, or GeoPackage srs_id 0
// (undefined geographic, which GDAL reports as a made-up geographic CRS) is refused with a
// CrsError that names `option`.
Crs layer_crs(GDALDataset& ds, OGRLayer& layer, const std::string& override, const std::string& what,
              const std::string& option);

}  // namespace hotspot
