#pragma once
// Float32 rasters through GDAL: a whole GeoTIFF, or one TIFF tile for the GeoPackage gridded
// coverage extension, encoded in memory (/vsimem/).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "hotspot/crs.hpp"

namespace hotspot {

// Geo-transform of a north-up raster: top-left corner and square cells.
struct RasterFrame {
  double xmin = 0, ymax = 0, cell = 1;
  std::int64_t cols = 0, rows = 0;
};

// Writes a single-band Float32 GeoTIFF (ZSTD, floating-point predictor, tiled) atomically:
// a temporary file next to the target, renamed when complete. `metadata` goes into the file's
// GDAL metadata (key = value).
void write_geotiff(const std::string& path, const std::vector<float>& values, const RasterFrame& frame,
                   const Crs& crs, float nodata, int threads,
                   const std::vector<std::pair<std::string, std::string>>& metadata = {});

// One Float32 TIFF tile, LZW-compressed, as the gridded coverage extension requires.
std::vector<unsigned char> encode_tiff_tile(const float* values, int width, int height);

}  // namespace hotspot
