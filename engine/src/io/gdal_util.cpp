#include "io/gdal_util.hpp"

#include <gdal_frmts.h>

#include <filesystem>
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
  std::error_code ec;
  const bool directory = std::filesystem::is_directory(path, ec);
  if (!ds) {
    std::string why = errors.last().empty() ? "not a readable vector dataset" : errors.last();
    if (directory)
      why = "it is a directory, and not one GDAL reads as a dataset; give the file itself";
    throw IoError("cannot open " + what + " '" + path + "': " + why);
  }
  // A folder of shapefiles (or a .gdb) is one dataset; a plain folder holding CSV files is what
  // GDAL's CSV driver makes of a directory given by mistake (its first CSV becomes the layer).
  if (directory && EQUAL(ds->GetDriverName(), "CSV")) {
    std::string first =
        ds->GetLayerCount() > 0 ? std::string(ds->GetLayer(0)->GetName()) + ".csv" : "";
    throw IoError("cannot open " + what + " '" + path +
                  "': it is a directory, not a dataset (GDAL would read its CSV files as layers); "
                  "give the file "
                  "itself" +
                  (first.empty()
                       ? std::string()
                       : ", e.g. '" + (std::filesystem::path(path) / first).string() + "'"));
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
  throw UsageError(what + ": no layer named '" + name + "' (layers: " + names + ")");  // the user named it
}

namespace {

// A GeoPackage layer's row of gpkg_spatial_ref_sys, read from the file itself.
struct GpkgSrs {
  std::int64_t id = 0;
  std::string definition;  // "" when the row is missing
};

// nullopt for other formats.
std::optional<GpkgSrs> gpkg_srs(GDALDataset& ds, OGRLayer& layer) {
  if (!EQUAL(ds.GetDriverName(), "GPKG")) return std::nullopt;
  std::string quoted;
  for (char c : std::string(layer.GetName()))
    quoted += c == '\'' ? std::string("''") : std::string(1, c);
  OGRLayer* r = ds.ExecuteSQL(("SELECT g.srs_id, s.definition FROM gpkg_geometry_columns g "
                               "LEFT JOIN gpkg_spatial_ref_sys s ON s.srs_id = g.srs_id "
                               "WHERE g.table_name = '" +
                               quoted + "'")
                                  .c_str(),
                              nullptr, nullptr);
  if (!r) return std::nullopt;
  std::optional<GpkgSrs> srs;
  if (FeaturePtr f{r->GetNextFeature()}) {
    srs = GpkgSrs{f->GetFieldAsInteger64(0), ""};
    if (f->IsFieldSetAndNotNull(1)) srs->definition = f->GetFieldAsString(1);
  }
  ds.ReleaseResultSet(r);
  return srs;
}

}  // namespace

Crs layer_crs(GDALDataset& ds, OGRLayer& layer, const std::string& override,
              const std::string& what, const std::string& option) {
  if (!override.empty()) return parse_crs(override, option);
  const auto gpkg = gpkg_srs(ds, layer);
  const std::int64_t srs_id = gpkg ? gpkg->id : 1;  // 1: any CRS but the two undefined ones
  if (srs_id == -1) return Crs{};                   // planar
  const OGRSpatialReference* srs = layer.GetSpatialRef();
  if (srs && srs_id != 0) {
    // GDAL reads a GeoPackage row with an EPSG code as the registry's CRS and drops a TOWGS84 its
    // definition carries. The file's definition is used then, so that the loader can say that
    // PROJ leaves the shift out (transformations are the same either way: PROJ prefers the code).
    double p[7];
    if (gpkg && gpkg->definition.find("TOWGS84") != std::string::npos &&
        srs->GetTOWGS84(p, 7) != OGRERR_NONE) {
      OGRSpatialReference file;
      if (file.importFromWkt(gpkg->definition.c_str()) == OGRERR_NONE &&
          file.GetTOWGS84(p, 7) == OGRERR_NONE)
        return crs_from_ogr(&file);
    }
    return crs_from_ogr(srs);
  }
  throw CrsError(what + " layer '" + std::string(layer.GetName()) + "' in '" + ds.GetDescription() +
                 "' has " + (srs_id == 0 ? "the undefined geographic SRS (srs_id 0)" : "no CRS") +
                 "; give its CRS with " + option + " (e.g. EPSG:9210, EPSG:4326, or planar)");
}

}  // namespace hotspot
