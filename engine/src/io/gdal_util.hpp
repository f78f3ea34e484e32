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

// While alive, GDAL errors and warnings are collected here instead of printed to stderr. Scopes
// nest: the innermost one collects.
class GdalErrorScope {
 public:
  GdalErrorScope();
  ~GdalErrorScope();
  GdalErrorScope(const GdalErrorScope&) = delete;
  GdalErrorScope& operator=(const GdalErrorScope&) = delete;
  const std::string& last() const { return last_; }
  const std::string& first() const { return first_; }
  // Errors (CE_Failure and worse) seen since construction or the last clear().
  int failures() const { return failures_; }
  void clear() { failures_ = 0, first_.clear(), last_.clear(); }

 private:
  static void CPL_STDCALL handler(CPLErr, CPLErrorNum, const char* msg);
  std::string first_, last_;
  int failures_ = 0;
  GdalErrorScope* previous_ = nullptr;
};

// Every GDAL/OGR driver (about 200, ~5 ms): any source a user names must open.
void register_gdal_once();
// The GeoTIFF driver alone, for writing OUT.tif: a kde that reads a CSV and writes a GeoTIFF
// needs no other driver, and registering all of them would be its only use of the rest.
void register_gtiff_once();
// Opens a vector source read-only; throws IoError naming `what` and GDAL's reason.
// `open_options`: GDAL open options ("KEY=VALUE"), e.g. the CSV driver's X_POSSIBLE_NAMES.
DatasetPtr open_vector(const std::string& path, const std::string& what,
                       const std::vector<std::string>& open_options = {});
// The named layer, or the first one; throws InputError listing the layers present.
OGRLayer* pick_layer(GDALDataset& ds, const std::string& name, const std::string& what);

// Calls fn(OGRFeature&) for every feature of `layer`, from the start. A source is read whole or not
// at all: any GDAL error raised while reading (a damaged page of a GeoPackage, a truncated .shp)
// throws IoError naming `what`, the file and GDAL's message, and a feature count the source knows
// up front (GeoPackage's gpkg_ogr_contents, a Shapefile's header) that disagrees with the features
// read throws InputError. Without this, GDAL reports the damage and simply ends the layer early.
template <class Fn>
void for_each_feature(OGRLayer& layer, const std::string& what, const std::string& path, Fn&& fn);

// The CRS of a layer: `override` when given, else the source's. A GeoPackage layer with srs_id -1
// (the spec's undefined Cartesian SRS) is planar. A layer with no CRS, or GeoPackage srs_id 0
// (undefined geographic, which GDAL reports as a made-up geographic CRS) is refused with a
// CrsError that names `option`.
Crs layer_crs(GDALDataset& ds, OGRLayer& layer, const std::string& override,
              const std::string& what, const std::string& option);

// Throws for the errors `errors` saw while reading `what` (after `read` features); does nothing
// when there were none.
void throw_read_errors(const GdalErrorScope& errors, const std::string& what,
                       const std::string& path, std::int64_t read);
void check_feature_count(std::int64_t expected, std::int64_t read, const std::string& what,
                         const std::string& path);

template <class Fn>
void for_each_feature(OGRLayer& layer, const std::string& what, const std::string& path, Fn&& fn) {
  GdalErrorScope errors;
  const std::int64_t expected =
      layer.TestCapability(OLCFastFeatureCount) ? layer.GetFeatureCount(FALSE) : -1;
  throw_read_errors(errors, what, path, 0);
  layer.ResetReading();
  std::int64_t read = 0;
  for (;;) {
    FeaturePtr f(layer.GetNextFeature());
    throw_read_errors(errors, what, path, read);
    if (!f) break;
    ++read;
    fn(*f);
  }
  check_feature_count(expected, read, what, path);
}

}  // namespace hotspot
