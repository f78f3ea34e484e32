#pragma once
// GDAL at the edge: RAII dataset handles and a scope that turns GDAL's global error state into
// messages we can put into our own typed exceptions.
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <memory>
#include <string>

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
DatasetPtr open_vector(const std::string& path, const std::string& what);
// The named layer, or the first one; throws InputError listing the layers present.
OGRLayer* pick_layer(GDALDataset& ds, const std::string& name, const std::string& what);

}  // namespace hotspot
