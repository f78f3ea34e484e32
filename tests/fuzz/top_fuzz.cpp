// Fuzz target: hotspot top's reading of a finished output's run_metadata. The first byte picks
// the input: even, the text of the `parameters` value itself (JSON of any shape and depth); odd,
// a whole GeoPackage in GDAL's in-memory files read by read_top (run_metadata, hotspot layers,
// incidents, communes). Property: a typed Error or a result, never a crash.
#include <cpl_vsi.h>

#include <string>

#include "hotspot/error.hpp"
#include "io/gdal_util.hpp"
#include "top/read.hpp"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  if (size < 1) return 0;
  try {
    if ((data[0] & 1) == 0) {
      const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
      if (auto off = hotspot::offset_from_parameters(text); off && (*off < -840 || *off > 840))
        __builtin_trap();
      return 0;
    }
    hotspot::register_gdal_once();
    CPLSetConfigOption("CPL_LOG", "/dev/null");
    const std::string path = "/vsimem/fuzz_top.gpkg";
    VSILFILE* f =
        VSIFileFromMemBuffer(path.c_str(), const_cast<GByte*>(data + 1), size - 1, FALSE);
    if (!f) return 0;
    VSIFCloseL(f);
    try {
      auto in = hotspot::read_top(path, hotspot::TopSource::kBoth, 420);
      if (in.utc_offset_minutes < -840 || in.utc_offset_minutes > 840) __builtin_trap();
    } catch (const hotspot::Error&) {
    }
    VSIUnlink(path.c_str());
  } catch (const hotspot::Error&) {
  }
  return 0;
}
