// The GeoPackage writer's extensions: the Float32 gridded coverage (the density raster) and the
// QGIS project stored in qgis_projects. Members of GpkgWriter, kept apart from the vector writer.
#include <cpl_vsi.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <limits>

#include "hotspot/error.hpp"
#include "io/gdal_util.hpp"
#include "io/gpkg_writer.hpp"
#include "util/parallel.hpp"
#include "util/time.hpp"

namespace hotspot {

namespace {

// The tables of the tiles option and of the gridded coverage extension, as GDAL creates them.
const char* kCoverageSql = R"SQL(
CREATE TABLE gpkg_tile_matrix_set (table_name TEXT NOT NULL PRIMARY KEY, srs_id INTEGER NOT NULL,
  min_x DOUBLE NOT NULL, min_y DOUBLE NOT NULL, max_x DOUBLE NOT NULL, max_y DOUBLE NOT NULL,
  CONSTRAINT fk_gtms_table_name FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gtms_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
CREATE TABLE gpkg_tile_matrix (table_name TEXT NOT NULL, zoom_level INTEGER NOT NULL,
  matrix_width INTEGER NOT NULL, matrix_height INTEGER NOT NULL, tile_width INTEGER NOT NULL,
  tile_height INTEGER NOT NULL, pixel_x_size DOUBLE NOT NULL, pixel_y_size DOUBLE NOT NULL,
  CONSTRAINT pk_ttm PRIMARY KEY (table_name, zoom_level),
  CONSTRAINT fk_tmm_table_name FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name));
CREATE TABLE gpkg_2d_gridded_coverage_ancillary (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  tile_matrix_set_name TEXT NOT NULL UNIQUE, datatype TEXT NOT NULL DEFAULT 'integer',
  scale REAL NOT NULL DEFAULT 1.0, offset REAL NOT NULL DEFAULT 0.0, precision REAL DEFAULT 1.0,
  data_null REAL, grid_cell_encoding TEXT DEFAULT 'grid-value-is-center', uom TEXT,
  field_name TEXT DEFAULT 'Height', quantity_definition TEXT DEFAULT 'Height',
  CONSTRAINT fk_g2dgtct_name FOREIGN KEY(tile_matrix_set_name) REFERENCES gpkg_tile_matrix_set (table_name)
  CHECK (datatype in ('integer','float')));
CREATE TABLE gpkg_2d_gridded_tile_ancillary (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  tpudt_name TEXT NOT NULL, tpudt_id INTEGER NOT NULL, scale REAL NOT NULL DEFAULT 1.0,
  offset REAL NOT NULL DEFAULT 0.0, min REAL DEFAULT NULL, max REAL DEFAULT NULL, mean REAL DEFAULT NULL,
  std_dev REAL DEFAULT NULL,
  CONSTRAINT fk_g2dgtat_name FOREIGN KEY (tpudt_name) REFERENCES gpkg_contents(table_name),
  UNIQUE (tpudt_name, tpudt_id));
INSERT INTO gpkg_extensions VALUES ('gpkg_2d_gridded_coverage_ancillary', NULL, 'gpkg_2d_gridded_coverage',
  'http://docs.opengeospatial.org/is/17-066r1/17-066r1.html', 'read-write');
INSERT INTO gpkg_extensions VALUES ('gpkg_2d_gridded_tile_ancillary', NULL, 'gpkg_2d_gridded_coverage',
  'http://docs.opengeospatial.org/is/17-066r1/17-066r1.html', 'read-write');
)SQL";

std::string fmt17(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

void GpkgWriter::add_float_coverage(const std::string& table, const Crs& crs, const RasterFrame& f,
                                    const std::vector<float>& values, float nodata,
                                    const std::string& description, int threads) {
  if (layer_) {
    layer_->finish();
    layer_.reset();
  }
  if (!coverage_tables_) {
    char* err = nullptr;
    if (sqlite3_exec(db_, kCoverageSql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string why = err ? err : "";
      sqlite3_free(err);
      throw InternalError("creating the gridded coverage tables: " + why);
    }
    coverage_tables_ = true;
    // The extension requires WGS 84 3-D (EPSG:4979) to be present, for elevation coverages.
    srs_id(parse_crs("EPSG:4979", "GeoPackage"));
  }
  constexpr int kTile = 256;
  const std::int64_t mw = (f.cols + kTile - 1) / kTile, mh = (f.rows + kTile - 1) / kTile;
  const int srs = srs_id(crs);
  const double xmax = f.xmin + static_cast<double>(f.cols) * f.cell,
               ymin = f.ymax - static_cast<double>(f.rows) * f.cell;
  exec(
      "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, min_x, min_y, "
      "max_x, max_y, srs_id) "
      "VALUES (?1, '2d-gridded-coverage', ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
      {table, description, fmt17(f.xmin), fmt17(ymin), fmt17(xmax), fmt17(f.ymax),
       std::to_string(srs)});
  exec("INSERT INTO gpkg_tile_matrix_set VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
       {table, std::to_string(srs), fmt17(f.xmin),
        fmt17(f.ymax - static_cast<double>(mh * kTile) * f.cell),
        fmt17(f.xmin + static_cast<double>(mw * kTile) * f.cell), fmt17(f.ymax)});
  exec("INSERT INTO gpkg_tile_matrix VALUES (?1, 0, ?2, ?3, ?4, ?4, ?5, ?5)",
       {table, std::to_string(mw), std::to_string(mh), std::to_string(kTile), fmt17(f.cell)});
  const std::string qt = quote_identifier(table);
  exec("CREATE TABLE " + qt +
       " (id INTEGER PRIMARY KEY AUTOINCREMENT, zoom_level INTEGER NOT NULL, "
       "tile_column INTEGER NOT NULL, tile_row INTEGER NOT NULL, tile_data BLOB NOT NULL, "
       "UNIQUE (zoom_level, tile_column, tile_row))");
  exec(
      "INSERT INTO gpkg_2d_gridded_coverage_ancillary (tile_matrix_set_name, datatype, scale, "
      "offset, precision, "
      "data_null, grid_cell_encoding, uom, field_name, quantity_definition) "
      "VALUES (?1, 'float', 1.0, 0.0, 1.0, ?2, 'grid-value-is-center', NULL, 'Height', 'Height')",
      {table, fmt17(nodata)});
  exec(
      "INSERT INTO gpkg_extensions VALUES (?1, 'tile_data', 'gpkg_2d_gridded_coverage', "
      "'http://docs.opengeospatial.org/is/17-066r1/17-066r1.html', 'read-write')",
      {table});

  // Tiles are encoded in parallel, a band of tile rows at a time, and inserted in order.
  const std::size_t n_tiles = static_cast<std::size_t>(mw * mh);
  const std::size_t batch = static_cast<std::size_t>(std::max<std::int64_t>(mw, 1)) * 4;
  sqlite3_stmt* ins =
      prepare("INSERT INTO " + qt +
              " (id, zoom_level, tile_column, tile_row, tile_data) VALUES (?1, 0, ?2, ?3, ?4)");
  sqlite3_stmt* anc = prepare(
      "INSERT INTO gpkg_2d_gridded_tile_ancillary (tpudt_name, tpudt_id, scale, offset, min, max, "
      "mean, std_dev) "
      "VALUES (?1, ?2, 1.0, 0.0, ?3, ?4, ?5, ?6)");
  struct Encoded {
    std::vector<unsigned char> blob;
    double min = 0, max = 0, mean = 0, sd = 0;
    std::int64_t valid = 0;
  };
  std::vector<Encoded> enc;
  for (std::size_t first = 0; first < n_tiles; first += batch) {
    const std::size_t n = std::min(batch, n_tiles - first);
    enc.assign(n, {});
    parallel_tasks(n, std::max(1, threads), [&](std::size_t k, int) {
      const std::int64_t t = static_cast<std::int64_t>(first + k), tx = t % mw, ty = t / mw;
      std::vector<float> tile(static_cast<std::size_t>(kTile * kTile), nodata);
      Encoded& e = enc[k];
      double s = 0, ss = 0;
      e.min = std::numeric_limits<double>::infinity();
      e.max = -e.min;
      for (std::int64_t r = 0; r < kTile; ++r) {
        const std::int64_t rr = ty * kTile + r;
        if (rr >= f.rows) break;
        for (std::int64_t c = 0; c < kTile; ++c) {
          const std::int64_t cc = tx * kTile + c;
          if (cc >= f.cols) break;
          const float v = values[static_cast<std::size_t>(rr * f.cols + cc)];
          tile[static_cast<std::size_t>(r * kTile + c)] = v;
          if (v == nodata || !std::isfinite(v)) continue;
          ++e.valid;
          s += v;
          ss += static_cast<double>(v) * v;
          e.min = std::min(e.min, static_cast<double>(v));
          e.max = std::max(e.max, static_cast<double>(v));
        }
      }
      if (e.valid) {
        e.mean = s / static_cast<double>(e.valid);
        e.sd = std::sqrt(std::max(0.0, ss / static_cast<double>(e.valid) - e.mean * e.mean));
      }
      e.blob = encode_tiff_tile(tile.data(), kTile, kTile);
    });
    for (std::size_t k = 0; k < n; ++k) {
      const std::int64_t t = static_cast<std::int64_t>(first + k);
      const std::int64_t id = t + 1;
      sqlite3_bind_int64(ins, 1, id);
      sqlite3_bind_int64(ins, 2, t % mw);
      sqlite3_bind_int64(ins, 3, t / mw);
      sqlite3_bind_blob(ins, 4, enc[k].blob.data(), static_cast<int>(enc[k].blob.size()),
                        SQLITE_STATIC);
      int rc = sqlite3_step(ins);
      sqlite3_reset(ins);
      if (rc != SQLITE_DONE) {
        sqlite3_finalize(ins);
        sqlite3_finalize(anc);
        check(rc, "coverage tile");
      }
      sqlite3_bind_text(anc, 1, table.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64(anc, 2, id);
      if (enc[k].valid) {
        sqlite3_bind_double(anc, 3, enc[k].min);
        sqlite3_bind_double(anc, 4, enc[k].max);
        sqlite3_bind_double(anc, 5, enc[k].mean);
        sqlite3_bind_double(anc, 6, enc[k].sd);
      } else {
        for (int j = 3; j <= 6; ++j) sqlite3_bind_null(anc, j);
      }
      rc = sqlite3_step(anc);
      sqlite3_reset(anc);
      if (rc != SQLITE_DONE) {
        sqlite3_finalize(ins);
        sqlite3_finalize(anc);
        check(rc, "coverage tile ancillary");
      }
    }
  }
  sqlite3_finalize(ins);
  sqlite3_finalize(anc);
}

void GpkgWriter::add_qgis_project(const std::string& name, const std::string& qgs_xml) {
  register_gdal_once();
  // A .qgz is a zip holding the .qgs; GDAL's /vsizip/ writer builds it in memory.
  const std::string zip = "/vsimem/hotspot_project_" + std::to_string(::getpid()) + ".qgz";
  {
    // The braces tell /vsizip/ where the archive name ends (it contains a dot-less /vsimem/ path).
    VSILFILE* fp = VSIFOpenL(("/vsizip/{" + zip + "}/" + name + ".qgs").c_str(), "wb");
    if (!fp) throw InternalError("creating the QGIS project archive");
    bool ok = VSIFWriteL(qgs_xml.data(), 1, qgs_xml.size(), fp) == qgs_xml.size();
    VSIFCloseL(fp);
    if (!ok) throw InternalError("writing the QGIS project archive");
  }
  vsi_l_offset size = 0;
  GByte* data = VSIGetMemFileBuffer(zip.c_str(), &size, FALSE);
  static const char* hex = "0123456789abcdef";
  std::string content;
  content.reserve(static_cast<std::size_t>(size) * 2);
  for (vsi_l_offset i = 0; i < size; ++i)
    content += hex[data[i] >> 4], content += hex[data[i] & 15];
  VSIUnlink(zip.c_str());
  exec(
      "CREATE TABLE IF NOT EXISTS qgis_projects (name TEXT PRIMARY KEY, metadata BLOB, content "
      "BLOB)");
  std::string now = format_utc(static_cast<std::int64_t>(std::time(nullptr)));
  now.pop_back();  // QGIS writes local-style time without the Z
  exec("INSERT INTO qgis_projects VALUES (?1, ?2, ?3)",
       {name, "{\"last_modified_time\": \"" + now + "\", \"last_modified_user\": \"hotspot\" }",
        content});
}

}  // namespace hotspot
