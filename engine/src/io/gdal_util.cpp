#include "io/gdal_util.hpp"

#include <mutex>

#include "hotspot/error.hpp"

namespace hotspot {

namespace {
thread_local GdalErrorScope* current_scope = nullptr;
}

GdalErrorScope::GdalErrorScope() {
  current_scope = this;
  CPLPushErrorHandler(&GdalErrorScope::handler);
}

GdalErrorScope::~GdalErrorScope() {
  CPLPopErrorHandler();
  current_scope = nullptr;
}

void CPL_STDCALL GdalErrorScope::handler(CPLErr level, CPLErrorNum, const char* msg) {
  if (current_scope && level >= CE_Failure) current_scope->last_ = msg ? msg : "";
}

void register_gdal_once() {
  static std::once_flag once;
  std::call_once(once, [] { GDALAllRegister(); });
}

DatasetPtr open_vector(const std::string& path, const std::string& what) {
  register_gdal_once();
  GdalErrorScope errors;
  DatasetPtr ds(static_cast<GDALDataset*>(
      GDALOpenEx(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr)));
  if (!ds) {
    std::string why = errors.last().empty() ? "not a readable vector dataset" : errors.last();
    throw IoError("cannot open " + what + " '" + path + "': " + why);
  }
  return ds;
}

OGRLayer* pick_layer(GDALDataset& ds, const std::string& name, const std::string& what) {
  if (ds.GetLayerCount() == 0) throw InputError(what + " '" + ds.GetDescription() + "' has no layers");
  if (name.empty()) return ds.GetLayer(0);
  if (OGRLayer* layer = ds.GetLayerByName(name.c_str())) return layer;
  std::string names;
  for (int i = 0; i < ds.GetLayerCount(); ++i)
    names += (i ? ", " : "") + std::string(ds.GetLayer(i)->GetName());
  throw InputError(what + ": no layer named '" + name + "' (layers: " + names + ")");
}

}  // namespace hotspot
