#include "io/gdal_util.hpp"

#include <gdal_frmts.h>

#include <mutex>
#include <optional>

#include "crs/transform.hpp"
#include "hotspot/error.hpp"

namespace hotspot {

namespace {
thread_local GdalErrorScope* current_scope = nullptr;
}

GdalErrorScope::GdalErrorScope() : previous_(current_scope) {
  current_scope = this;
  CPLPushErrorHandler(&GdalErrorScope::handler);
}

GdalErrorScope::~GdalErrorScope() {
  CPLPopErrorHandler();
  current_scope = previous_;
}

void CPL_STDCALL GdalErrorScope::handler(CPLErr level, CPLErrorNum, const char* msg) {
  if (!current_scope || level < CE_Failure) return;
  current_scope->last_ = msg ? msg : "";
  if (current_scope->failures_++ == 0) current_scope->first_ = current_scope->last_;
}

void throw_read_errors(const GdalErrorScope& errors, const std::string& what,
                       const std::string& path, std::int64_t read) {
  if (errors.failures() == 0) return;
  throw IoError("cannot read " + what + " '" + path + "': " + errors.first() + " (after " +
                std::to_string(read) +
                " features; the file is damaged or incomplete, and nothing of it is used)");
}

void check_feature_count(std::int64_t expected, std::int64_t read, const std::string& what,
                         const std::string& path) {
  if (expected < 0 || expected == read) return;
  throw InputError(what + " '" + path + "' says it holds " + std::to_string(expected) +
                   " features, but " + std::to_string(read) +
                   " could be read; the file is damaged or incomplete, and nothing of it is used");
}

void register_gdal_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    route_library_messages();
    GDALAllRegister();
  });
}

void register_gtiff_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    route_library_messages();
    GDALRegister_GTiff();  // a no-op when GDALAllRegister has registered it already
  });
}

DatasetPtr open_vector(const std::string& path, const std::string& what,
                       const std::vector<std::string>& open_options) {
  register_gdal_once();
  GdalErrorScope errors;
  std::vector<const char*> opts;
  for (const auto& o : open_options) opts.push_back(o.c_str());
  opts.push_back(nullptr);
  DatasetPtr ds(static_cast<GDALDataset*>(
      GDALOpenEx(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, opts.data(), nullptr)));
  if (!ds) {
    std::string why = errors.last().empty() ? "not a readable vector dataset" : errors.last();
    throw IoError("cannot open " + what + " '" + path + "': " + why);
  }
  return ds;
}

OGRLayer* pick_layer(GDALDataset& ds, const std::string& name, const std::string& what) {
  if (ds.GetLayerCount() == 0)
    throw InputError(what + " '" + ds.GetDescription() + "' has no layers");
  if (name.empty()) return ds.GetLayer(0);
  if (OGRLayer* layer = ds.GetLayerByName(name.c_str())) return layer;
  std::string names;
  for (int i = 0; i < ds.GetLayerCount(); ++i)
    names += (i ? ", " : "") + std::string(ds.GetLayer(i)->GetName());
  throw InputError(what + ": no layer named '" + name + "' (layers: " + names + ")");
}

namespace {

// srs_id of a GeoPackage layer, read from the file itself; nullopt for other formats.
std::optional<std::int64_t> gpkg_srs_id(GDALDataset& ds, OGRLayer& layer) {
  if (!EQUAL(ds.GetDriverName(), "GPKG")) return std::nullopt;
  std::string quoted;
  for (char c : std::string(layer.GetName()))
    quoted += c == '\'' ? std::string("''") : std::string(1, c);
  OGRLayer* r = ds.ExecuteSQL(
      ("SELECT srs_id FROM gpkg_geometry_columns WHERE table_name = '" + quoted + "'").c_str(),
      nullptr, nullptr);
  if (!r) return std::nullopt;
  std::optional<std::int64_t> id;
  if (FeaturePtr f{r->GetNextFeature()}) id = f->GetFieldAsInteger64(0);
  ds.ReleaseResultSet(r);
  return id;
}

}  // namespace

Crs layer_crs(GDALDataset& ds, OGRLayer& layer, const std::string& override,
              const std::string& what, const std::string& option) {
  if (!override.empty()) return parse_crs(override, option);
  auto srs_id = gpkg_srs_id(ds, layer);
  if (srs_id == -1) return Crs{};  // planar
  const OGRSpatialReference* srs = layer.GetSpatialRef();
  if (srs && srs_id != 0) return crs_from_ogr(srs);
  throw CrsError(what + " layer '" + std::string(layer.GetName()) + "' in '" + ds.GetDescription() +
                 "' has " + (srs_id == 0 ? "the undefined geographic SRS (srs_id 0)" : "no CRS") +
                 "; give its CRS with " + option + " (e.g. EPSG:9210, EPSG:4326, or planar)");
}

}  // namespace hotspot
