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

}  // namespace

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

namespace {

// Throws IoError when no file can be created in `dir`. access() says yes to root on a read-only
// mount (or in /sys): a file is created and removed instead.
void probe_writable(const fs::path& dir) {
  const fs::path probe = dir / (".hotspot-probe-" + std::to_string(::getpid()));
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) {
    const int err = errno;
    // A directory that exists but where open(O_CREAT) says ENOENT is a virtual file system (/proc,
    // /sys) that makes no files: strerror alone ("No such file or directory") reads as a typo.
    throw IoError("output directory '" + dir.string() + "' is not writable: " +
                  (err == ENOENT
                       ? std::string("no file can be created in it (a virtual file system such as "
                                     "/proc or /sys?); choose a directory on a disk")
                       : std::string(std::strerror(err))));
  }
  ::close(fd);
  ::unlink(probe.c_str());
}

}  // namespace

void check_output_directory(const std::string& path) {
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (!fs::is_directory(dir, ec))
    throw IoError("output directory '" + dir.string() + "' does not exist and cannot be created" +
                  (ec ? ": " + ec.message() : std::string()));
  probe_writable(dir);
}

void check_output_creatable(const std::string& path) {
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  fs::path existing = dir;
  while (!existing.empty() && !fs::exists(existing, ec) && existing.has_parent_path() &&
         existing.parent_path() != existing)
    existing = existing.parent_path();
  if (existing.empty() || !fs::exists(existing, ec)) existing = ".";
  if (!fs::is_directory(existing, ec))
    throw IoError("output directory '" + dir.string() + "' cannot be created: '" +
                  existing.string() + "' is a file");
  probe_writable(existing);
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
  // 32 MiB. Rows, and the R-tree's shadow tables (bulk loaded, io/rtree_bulk.hpp), are appended
  // in key order, so pages once full are not touched again: SQLite writes them to the file when
  // its cache is full, where a cache as large as the file (256 MiB before) held every page in the
  // process's memory until the commit. Fresh memory costs a page fault per page; the file's pages
  // go to the kernel's page cache either way.
  exec("PRAGMA cache_size = -32768");
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
  // Some calls return an error without recording it on the connection (sqlite3_db_cacheflush
  // leaves sqlite3_errmsg at "not an error"): then the code's own text ("database or disk is
  // full") is the message.
  const int primary = rc & 0xff;  // SQLITE_IOERR_WRITE -> SQLITE_IOERR
  const char* detail = sqlite3_errcode(db_) == SQLITE_OK ? sqlite3_errstr(rc) : sqlite3_errmsg(db_);
  std::string msg = std::string("writing '") + target_ + "': " + what + ": " + detail;
  if (primary == SQLITE_FULL || primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN ||
      primary == SQLITE_READONLY)
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

void GpkgWriter::finish_layer() {
  if (!layer_) return;
  layer_->finish();
  layer_.reset();
}

void GpkgWriter::write_ahead() {
  check(sqlite3_db_cacheflush(db_), "writing pages");
  // SQLite keeps its own descriptor; a second one reaches the same file's pages in the kernel.
  // Only a hint: the data's durability still rests on the fsync in commit().
  const int fd = ::open(temp_.c_str(), O_RDONLY);
  if (fd < 0) return;
#ifdef SYNC_FILE_RANGE_WRITE
  ::sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
  ::close(fd);
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
