#include "io/gpkg_writer.hpp"

#include <cpl_vsi.h>
#include <fcntl.h>
#include <ogr_spatialref.h>
#include <signal.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <limits>

#include "crs/transform.hpp"
#include "hotspot/error.hpp"
#include "hotspot/ingest.hpp"
#include "io/gdal_util.hpp"
#include "util/parallel.hpp"
#include "util/temp_file.hpp"
#include "util/time.hpp"

namespace hotspot {

namespace fs = std::filesystem;

std::string quote_identifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

namespace {

const char* kCoreSql = R"SQL(
CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY,
  organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL,
  description TEXT);
INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined Cartesian SRS', -1, 'NONE', -1, 'undefined',
  'undefined Cartesian coordinate reference system');
INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined',
  'undefined geographic coordinate reference system');
CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
  identifier TEXT UNIQUE, description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
  geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
CREATE TABLE gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL,
  definition TEXT NOT NULL, scope TEXT NOT NULL,
  CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
)SQL";

// QGIS's own layout of layer_styles (what QGIS creates when saving a style into a GeoPackage).
const char* kStylesSql = R"SQL(
CREATE TABLE layer_styles (id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256),
  f_table_schema TEXT(256), f_table_name TEXT(256), f_geometry_column TEXT(256),
  styleName TEXT(30), styleQML TEXT, styleSLD TEXT, useAsDefault BOOLEAN, description TEXT,
  owner TEXT(30), ui TEXT(30), update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')));
INSERT INTO gpkg_contents (table_name, data_type, identifier, description)
  VALUES ('layer_styles', 'attributes', 'layer_styles', 'QGIS default styles');
)SQL";

const char* geometry_name(GeometryType g) {
  return g == GeometryType::kPoint          ? "POINT"
         : g == GeometryType::kMultiPolygon ? "MULTIPOLYGON"
                                            : "";
}

void put_u32(std::vector<unsigned char>& b, std::uint32_t v) {
  unsigned char bytes[4];
  std::memcpy(bytes, &v, 4);  // little-endian host (x86_64, arm64); the header says so
  b.insert(b.end(), bytes, bytes + 4);
}
void put_f64(std::vector<unsigned char>& b, double v) {
  unsigned char bytes[8];
  std::memcpy(bytes, &v, 8);
  b.insert(b.end(), bytes, bytes + 8);
}

// The GeoPackage binary header: magic, version 0, flags (little-endian, envelope kind), srs_id.
void gpkg_header(std::vector<unsigned char>& b, int srs_id, const Box* envelope) {
  b.clear();
  b.push_back('G');
  b.push_back('P');
  b.push_back(0);
  b.push_back(static_cast<unsigned char>(0x01 | (envelope ? 0x02 : 0)));
  put_u32(b, static_cast<std::uint32_t>(srs_id));
  if (envelope) {
    put_f64(b, envelope->xmin);
    put_f64(b, envelope->xmax);
    put_f64(b, envelope->ymin);
    put_f64(b, envelope->ymax);
  }
}

void put_ring(std::vector<unsigned char>& b, const Ring& r) {
  bool closed = !r.empty() && r.front().x == r.back().x && r.front().y == r.back().y;
  put_u32(b, static_cast<std::uint32_t>(r.size() + (closed ? 0 : 1)));
  for (XY p : r) put_f64(b, p.x), put_f64(b, p.y);
  if (!closed && !r.empty()) put_f64(b, r.front().x), put_f64(b, r.front().y);
}

}  // namespace

// ---- LayerWriter -------------------------------------------------------------------------------

LayerWriter::LayerWriter(GpkgWriter& w, std::string name, GeometryType g, int srs_id,
                         std::vector<FieldDef> fields, std::string description)
    : w_(w),
      name_(std::move(name)),
      description_(std::move(description)),
      geom_type_(g),
      srs_id_(srs_id),
      fields_(std::move(fields)) {
  std::string create = "CREATE TABLE " + quote_identifier(name_) +
                       " (\"fid\" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL";
  std::string insert = "INSERT INTO " + quote_identifier(name_) + " (\"fid\"";
  std::string values = "?1";
  int k = 2;
  if (g != GeometryType::kNone) {
    create += ", \"geom\" " + std::string(geometry_name(g));
    insert += ", \"geom\"";
    values += ", ?" + std::to_string(k++);
  }
  for (const auto& f : fields_) {
    const char* t = f.type == FieldType::Integer ? "INTEGER"
                    : f.type == FieldType::Real  ? "REAL"
                    : f.type == FieldType::Text  ? "TEXT"
                                                 : "DATETIME";
    create += ", " + quote_identifier(f.name) + " " + t;
    insert += ", " + quote_identifier(f.name);
    values += ", ?" + std::to_string(k++);
  }
  w_.exec(create + ")");
  insert_ = w_.prepare(insert + ") VALUES (" + values + ")");
  text_.resize(fields_.size());
}

void LayerWriter::set_null(int field) {
  w_.check(sqlite3_bind_null(insert_, field + (geom_type_ == GeometryType::kNone ? 2 : 3)), "bind");
}
void LayerWriter::set(int field, std::int64_t v) {
  w_.check(sqlite3_bind_int64(insert_, field + (geom_type_ == GeometryType::kNone ? 2 : 3), v),
           "bind");
}
void LayerWriter::set(int field, double v) {
  if (!std::isfinite(v)) return set_null(field);
  w_.check(sqlite3_bind_double(insert_, field + (geom_type_ == GeometryType::kNone ? 2 : 3), v),
           "bind");
}
void LayerWriter::set(int field, std::string_view v) {
  // Copied into a per-field buffer that lives until insert(), so SQLite need not copy it again.
  std::string& buf = text_[static_cast<std::size_t>(field)];
  buf.assign(v);
  w_.check(sqlite3_bind_text(insert_, field + (geom_type_ == GeometryType::kNone ? 2 : 3),
                             buf.data(), static_cast<int>(buf.size()), SQLITE_STATIC),
           "bind");
}
void LayerWriter::set_time(int field, std::int64_t t) {
  if (t == kNoTime) return set_null(field);
  // GeoPackage DATETIME is ISO 8601 UTC with milliseconds.
  std::string s = format_utc(t);
  s.insert(s.size() - 1, ".000");
  set(field, std::string_view(s));
}

void LayerWriter::set_point(XY p) {
  gpkg_header(blob_, srs_id_, nullptr);
  blob_.push_back(1);
  put_u32(blob_, 1);
  put_f64(blob_, p.x);
  put_f64(blob_, p.y);
  row_box_ = Box{p.x, p.y, p.x, p.y};
  has_geom_ = true;
}

void LayerWriter::set_geometry(const MultiPolygon& mp) {
  row_box_ = bounds(mp);
  gpkg_header(blob_, srs_id_, &row_box_);
  blob_.push_back(1);
  put_u32(blob_, 6);
  put_u32(blob_, static_cast<std::uint32_t>(mp.size()));
  for (const auto& poly : mp) {
    blob_.push_back(1);
    put_u32(blob_, 3);
    put_u32(blob_, static_cast<std::uint32_t>(1 + poly.holes.size()));
    put_ring(blob_, poly.shell);
    for (const auto& h : poly.holes) put_ring(blob_, h);
  }
  has_geom_ = true;
}

std::int64_t LayerWriter::insert() {
  std::int64_t fid = next_fid_++;
  w_.check(sqlite3_bind_int64(insert_, 1, fid), "bind");
  if (geom_type_ != GeometryType::kNone) {
    if (has_geom_ && !row_box_.empty()) {
      w_.check(sqlite3_bind_blob(insert_, 2, blob_.data(), static_cast<int>(blob_.size()),
                                 SQLITE_STATIC),
               "bind");
      rtree_.push_back({fid, row_box_.xmin, row_box_.xmax, row_box_.ymin, row_box_.ymax});
      extent_.expand(row_box_);
    } else {
      w_.check(sqlite3_bind_null(insert_, 2), "bind");
    }
  }
  int rc = sqlite3_step(insert_);
  if (rc != SQLITE_DONE) w_.check(rc, "insert");
  sqlite3_reset(insert_);
  sqlite3_clear_bindings(insert_);
  has_geom_ = false;
  return fid;
}

void LayerWriter::finish() {
  sqlite3_finalize(insert_);
  insert_ = nullptr;
  const std::string t = name_;
  if (geom_type_ == GeometryType::kNone) {
    w_.exec(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description) "
        "VALUES (?1, 'attributes', ?1, ?2)",
        {t, description_});
    return;
  }
  sqlite3_stmt* st = w_.prepare(
      "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, min_x, min_y, "
      "max_x, max_y, srs_id) VALUES (?1, 'features', ?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  sqlite3_bind_text(st, 1, t.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, description_.c_str(), -1, SQLITE_TRANSIENT);
  if (!extent_.empty()) {
    sqlite3_bind_double(st, 3, extent_.xmin);
    sqlite3_bind_double(st, 4, extent_.ymin);
    sqlite3_bind_double(st, 5, extent_.xmax);
    sqlite3_bind_double(st, 6, extent_.ymax);
  }
  sqlite3_bind_int(st, 7, srs_id_);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  w_.check(rc, "gpkg_contents");
  w_.exec("INSERT INTO gpkg_geometry_columns VALUES (?1, 'geom', ?2, ?3, 0, 0)",
          {t, geometry_name(geom_type_), std::to_string(srs_id_)});

  // Spatial index, packed in bulk (io/rtree_bulk.hpp); the triggers that keep it current come
  // after.
  const std::string rtree = "rtree_" + t + "_geom";
  const std::string qr = quote_identifier(rtree), qt = quote_identifier(t);
  w_.exec("CREATE VIRTUAL TABLE " + qr + " USING rtree(id, minx, maxx, miny, maxy)");
  w_.check(rtree_bulk_load(w_.db_, rtree, std::move(rtree_)), "spatial index");
  rtree_.clear();
  rtree_.shrink_to_fit();
  const std::string values =
      "VALUES (NEW.\"fid\", ST_MinX(NEW.\"geom\"), ST_MaxX(NEW.\"geom\"), "
      "ST_MinY(NEW.\"geom\"), ST_MaxY(NEW.\"geom\"))";
  auto trig = [&](const std::string& suffix) { return quote_identifier(rtree + "_" + suffix); };
  w_.exec("CREATE TRIGGER " + trig("insert") + " AFTER INSERT ON " + qt +
          " WHEN (new.\"geom\" NOT NULL AND NOT ST_IsEmpty(NEW.\"geom\")) BEGIN INSERT OR REPLACE "
          "INTO " +
          qr + " " + values + "; END");
  w_.exec(
      "CREATE TRIGGER " + trig("update1") + " AFTER UPDATE OF \"geom\" ON " + qt +
      " WHEN OLD.\"fid\" = NEW.\"fid\" AND (NEW.\"geom\" NOTNULL AND NOT ST_IsEmpty(NEW.\"geom\")) "
      "BEGIN INSERT OR REPLACE INTO " +
      qr + " " + values + "; END");
  w_.exec("CREATE TRIGGER " + trig("update2") + " AFTER UPDATE OF \"geom\" ON " + qt +
          " WHEN OLD.\"fid\" = NEW.\"fid\" AND (NEW.\"geom\" ISNULL OR ST_IsEmpty(NEW.\"geom\")) "
          "BEGIN DELETE FROM " +
          qr + " WHERE id = OLD.\"fid\"; END");
  w_.exec("CREATE TRIGGER " + trig("update3") + " AFTER UPDATE ON " + qt +
          " WHEN OLD.\"fid\" != NEW.\"fid\" AND (NEW.\"geom\" NOTNULL AND NOT "
          "ST_IsEmpty(NEW.\"geom\")) "
          "BEGIN DELETE FROM " +
          qr + " WHERE id = OLD.\"fid\"; INSERT OR REPLACE INTO " + qr + " " + values + "; END");
  w_.exec("CREATE TRIGGER " + trig("update4") + " AFTER UPDATE ON " + qt +
          " WHEN OLD.\"fid\" != NEW.\"fid\" AND (NEW.\"geom\" ISNULL OR ST_IsEmpty(NEW.\"geom\")) "
          "BEGIN DELETE FROM " +
          qr + " WHERE id IN (OLD.\"fid\", NEW.\"fid\"); END");
  w_.exec("CREATE TRIGGER " + trig("delete") + " AFTER DELETE ON " + qt +
          " WHEN old.\"geom\" NOT NULL BEGIN DELETE FROM " + qr + " WHERE id = OLD.\"fid\"; END");
  w_.exec(
      "INSERT INTO gpkg_extensions VALUES (?1, 'geom', 'gpkg_rtree_index', "
      "'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')",
      {t});
}

// ---- GpkgWriter --------------------------------------------------------------------------------

namespace {

// A GeoPackage that hotspot wrote: SQLite with the GeoPackage application_id and a run_metadata
// table. Anything else at an output path (last year's CSV, someone's own GeoPackage) is not ours to
// replace without being told.
bool written_by_hotspot(const std::string& path) {
  sqlite3* db = nullptr;
  bool ours = false;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    const char* sql =
        "SELECT (SELECT application_id FROM pragma_application_id) = 1196444487 AND "
        "EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'run_metadata')";
    if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
      ours = sqlite3_column_int(st, 0) == 1;
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return ours;
}

}  // namespace

void check_output_replaceable(const std::string& path, bool overwrite) {
  std::error_code ec;
  const fs::path target(path);
  if (fs::is_directory(target, ec)) throw IoError("output '" + path + "' is a directory");
  // rename() would replace a write-protected file without asking (even for root); refuse instead.
  if (fs::exists(target, ec) &&
      (::access(path.c_str(), W_OK) != 0 ||
       (fs::status(target, ec).permissions() & (fs::perms::owner_write | fs::perms::group_write |
                                                fs::perms::others_write)) == fs::perms::none))
    throw IoError("output '" + path + "' is read-only; make it writable or choose another --out");
  if (!overwrite && fs::exists(target, ec) && !written_by_hotspot(path))
    throw UsageError(
        "output '" + path +
        "' exists and is not a GeoPackage written by hotspot; choose another --out, or give "
        "--overwrite to replace it");
}

GpkgWriter::GpkgWriter(const std::string& target_path, bool overwrite) : target_(target_path) {
  fs::path target(target_path);
  fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw IoError("output directory '" + dir.string() + "' does not exist");
  check_output_replaceable(target_path, overwrite);
  temp_ = temp_path_for(target_path);
  fs::remove(temp_, ec);
  int rc =
      sqlite3_open_v2(temp_.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw IoError("cannot create '" + temp_ + "' next to the output: " + why);
  }
  // The temporary file is renamed into place only when complete, so no journal is needed while
  // building it; commit() syncs it before the rename. The connection is used by one thread only
  // (SQLITE_OPEN_NOMUTEX above).
  exec("PRAGMA journal_mode = OFF");
  exec("PRAGMA synchronous = OFF");
  exec("PRAGMA locking_mode = EXCLUSIVE");
  exec("PRAGMA cache_size = -262144");  // 256 MiB: R-tree inserts touch pages all over the file
  exec("PRAGMA application_id = 1196444487");  // 'GPKG'
  exec("PRAGMA user_version = 10300");         // GeoPackage 1.3.0
  exec("BEGIN");
  create_core_tables();
}

GpkgWriter::~GpkgWriter() {
  if (committed_) return;
  layer_.reset();
  if (db_) sqlite3_close_v2(db_);
  std::remove(temp_.c_str());
  release_temp_path(temp_);
}

void GpkgWriter::check(int rc, const char* what) {
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) return;
  std::string msg = std::string("writing '") + target_ + "': " + what + ": " + sqlite3_errmsg(db_);
  if (rc == SQLITE_FULL || rc == SQLITE_IOERR || rc == SQLITE_CANTOPEN || rc == SQLITE_READONLY)
    throw IoError(msg);
  throw InternalError(msg);
}

sqlite3_stmt* GpkgWriter::prepare(const std::string& sql) {
  sqlite3_stmt* st = nullptr;
  check(sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &st, nullptr),
        "prepare");
  return st;
}

void GpkgWriter::exec(const std::string& sql, const std::vector<std::string>& params) {
  sqlite3_stmt* st = prepare(sql);
  for (std::size_t i = 0; i < params.size(); ++i) {
    int k = static_cast<int>(i + 1);
    sqlite3_bind_text(st, k, params[i].c_str(), static_cast<int>(params[i].size()),
                      SQLITE_TRANSIENT);
  }
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
  }
  sqlite3_finalize(st);
  check(rc, "statement");
}

void GpkgWriter::create_core_tables() {
  char* err = nullptr;
  if (sqlite3_exec(db_, kCoreSql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string why = err ? err : "";
    sqlite3_free(err);
    throw IoError("initialising GeoPackage '" + temp_ + "': " + why);
  }
  // WGS 84 is always present in a GeoPackage.
  srs_id(parse_crs("EPSG:4326", "GeoPackage"));
}

int GpkgWriter::srs_id(const Crs& crs) {
  if (crs.planar()) return -1;
  const std::string key = crs.authority.empty() ? crs.wkt : crs.authority;
  for (const auto& [k, id] : srs_ids_)
    if (k == key) return id;
  int id = 0;
  std::string org = "NONE";
  int org_id = 0;
  if (crs.authority.rfind("EPSG:", 0) == 0) {
    org = "EPSG";
    org_id = std::stoi(crs.authority.substr(5));
    id = org_id;
  } else {
    id = next_custom_srs_++;
    org_id = id;
  }
  // The definition column holds WKT 1, which every GeoPackage reader understands.
  auto srs = to_ogr(crs);
  char* wkt1 = nullptr;
  srs->exportToWkt(&wkt1);
  std::string def = wkt1 ? wkt1 : "undefined";
  CPLFree(wkt1);
  exec("INSERT INTO gpkg_spatial_ref_sys VALUES (?1, ?2, ?3, ?4, ?5, '')",
       {crs.name, std::to_string(id), org, std::to_string(org_id), def});
  srs_ids_.emplace_back(key, id);
  return id;
}

LayerWriter& GpkgWriter::begin_layer(const std::string& name, GeometryType g, const Crs& crs,
                                     std::vector<FieldDef> fields, const std::string& description) {
  if (layer_) layer_->finish();
  int srs = g == GeometryType::kNone ? 0 : srs_id(crs);
  layer_.reset(new LayerWriter(*this, name, g, srs, std::move(fields), description));
  return *layer_;
}

void GpkgWriter::add_style(const std::string& layer, const std::string& style_name,
                           const std::string& qml, bool as_default) {
  if (!styles_table_) {
    char* err = nullptr;
    if (sqlite3_exec(db_, kStylesSql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string why = err ? err : "";
      sqlite3_free(err);
      throw InternalError("creating layer_styles: " + why);
    }
    styles_table_ = true;
  }
  exec(
      "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, "
      "styleName, styleQML, styleSLD, useAsDefault, description, owner, ui) "
      "VALUES ('', '', ?1, 'geom', ?2, ?3, '', ?4, ?5, '', '')",
      {layer, style_name, qml, as_default ? "1" : "0",
       as_default ? "hotspot default style" : "hotspot style"});
}

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

void GpkgWriter::commit() {
  if (layer_) {
    layer_->finish();
    layer_.reset();
  }
  exec("COMMIT");
  if (sqlite3_close(db_) != SQLITE_OK)
    throw IoError("closing '" + temp_ + "': " + sqlite3_errmsg(db_));
  db_ = nullptr;
  int fd = ::open(temp_.c_str(), O_RDONLY);
  if (fd < 0 || ::fsync(fd) != 0) {
    if (fd >= 0) ::close(fd);
    throw IoError("cannot sync '" + temp_ + "': " + std::strerror(errno));
  }
  ::close(fd);
  std::error_code ec;
  fs::rename(temp_, target_, ec);
  if (ec)
    throw IoError("cannot move the finished output into place at '" + target_ +
                  "': " + ec.message());
  committed_ = true;
  release_temp_path(temp_);
  fs::path dir =
      fs::path(target_).has_parent_path() ? fs::path(target_).parent_path() : fs::path(".");
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    ::fsync(dfd);  // make the rename itself durable
    ::close(dfd);
  }
}

}  // namespace hotspot
