#include "io/gpkg_writer.hpp"

#include <cpl_vsi.h>
#include <fcntl.h>
#include <ogr_spatialref.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
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
    const char* t = f.type == FieldType::kInteger ? "INTEGER"
                    : f.type == FieldType::kReal  ? "REAL"
                    : f.type == FieldType::kText  ? "TEXT"
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

void check_output_directory(const std::string& path) {
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (!fs::is_directory(dir, ec))
    throw IoError("output directory '" + dir.string() + "' does not exist and cannot be created" +
                  (ec ? ": " + ec.message() : std::string()));
  // access() says yes to root on a read-only mount: create a file instead.
  const fs::path probe = dir / (".hotspot-probe-" + std::to_string(::getpid()));
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0)
    throw IoError("output directory '" + dir.string() + "' is not writable: " +
                  std::strerror(errno));
  ::close(fd);
  ::unlink(probe.c_str());
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
  // MEMORY, not OFF: a run drops a failed analysis with ROLLBACK TO (begin_part), which needs a
  // journal. The file is new, so the main journal stays empty; a part journals only the few
  // earlier pages it changes (the GeoPackage's catalogue tables).
  exec("PRAGMA journal_mode = MEMORY");
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

void GpkgWriter::begin_part() {
  if (part_.open) throw InternalError("GpkgWriter: a part is already open");
  if (layer_) {
    layer_->finish();
    layer_.reset();
  }
  exec("SAVEPOINT part");
  part_ = {true, styles_table_, coverage_tables_, next_custom_srs_, srs_ids_};
}

void GpkgWriter::end_part() {
  if (!part_.open) throw InternalError("GpkgWriter: no part is open");
  if (layer_) {
    layer_->finish();
    layer_.reset();
  }
  exec("RELEASE part");
  part_.open = false;
}

void GpkgWriter::abandon_part() {
  if (!part_.open) throw InternalError("GpkgWriter: no part is open");
  layer_.reset();  // its rows go with the rollback
  exec("ROLLBACK TO part");
  exec("RELEASE part");
  styles_table_ = part_.styles_table;
  coverage_tables_ = part_.coverage_tables;
  next_custom_srs_ = part_.next_custom_srs;
  srs_ids_ = std::move(part_.srs_ids);
  part_ = {};
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
