#pragma once
// A GeoPackage 1.3 writer on SQLite directly. All values go through bound parameters and every
// identifier is quoted. Spatial indexes are filled in bulk after a layer's rows, and the spec's
// R-tree triggers are created only then, so no trigger fires per row.
//
// Atomicity: the file is built as a hidden temporary file in the target directory and renamed
// over the target only by commit(), after fsync. A writer destroyed without commit() (an
// exception, a bad input) removes its temporary file, so the target is either untouched or
// complete.
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hotspot/crs.hpp"
#include "hotspot/geometry.hpp"
#include "io/raster.hpp"
#include "io/rtree_bulk.hpp"
#include "util/time.hpp"

namespace hotspot {

enum class FieldType { kInteger, kReal, kText, kDateTime };

struct FieldDef {
  std::string name;
  FieldType type;
};

enum class GeometryType { kNone, kPoint, kMultiPolygon };

class GpkgWriter;

// Rows go to SQLite up to 64 at a time, through one prepared multi-row INSERT: a statement's
// fixed cost (and the AUTOINCREMENT bookkeeping in sqlite_sequence that every GeoPackage layer
// carries) is paid once per batch instead of once per row. Values wait in the writer until then;
// an error of SQLite's surfaces from the insert() that fills the batch or from finishing the
// layer.
class LayerWriter {
 public:
  void set_null(int field);
  void set(int field, std::int64_t v);
  void set(int field, double v);  // NaN is written as NULL
  void set(int field, std::string_view v);
  void set_time(int field, std::int64_t utc_seconds);  // kNoTime is written as NULL
  void set_point(XY p);
  void set_geometry(const MultiPolygon& mp);
  // Queues the row and clears the values; returns its fid.
  std::int64_t insert();
  const std::string& name() const { return name_; }
  ~LayerWriter();  // unfinished layer (an error): its queued rows are dropped, SQLite must not leak
  LayerWriter(const LayerWriter&) = delete;
  LayerWriter& operator=(const LayerWriter&) = delete;

 private:
  friend class GpkgWriter;
  LayerWriter(GpkgWriter& w, std::string name, GeometryType g, int srs_id,
              std::vector<FieldDef> fields, std::string description);
  void finish();
  void flush();  // the queued rows into SQLite
  sqlite3_stmt* insert_statement(std::size_t rows);
  struct Value {
    enum Kind : unsigned char { kNull, kInt, kReal, kText, kBlob } kind = kNull;
    std::int64_t i = 0;  // kInt; kText/kBlob: offset in bytes_
    double d = 0;        // kReal
    std::size_t size = 0;
  };
  Value& value(int field);

  GpkgWriter& w_;
  std::string name_, description_;
  GeometryType geom_type_;
  int srs_id_;
  std::vector<FieldDef> fields_;
  std::string insert_head_, insert_row_;  // "INSERT INTO t (...) VALUES ", "(?,?,...)"
  sqlite3_stmt* batch_ = nullptr;         // batch_rows_ rows
  std::size_t columns_ = 0, first_field_ = 0, batch_rows_ = 1, queued_ = 0;
  std::vector<Value> values_;             // batch_rows_ rows of columns_: fid, geom, fields
  std::string bytes_;                     // the queued rows' text and geometry
  std::vector<unsigned char> blob_;
  UtcText utc_;  // set_time
  bool has_geom_ = false;
  Box row_box_, extent_;
  std::vector<RtreeEntry> rtree_;
  std::int64_t next_fid_ = 1;
};

// Throws IoError when `path` is a directory or a read-only file, and UsageError when it exists and
// is not a GeoPackage hotspot wrote (a run_metadata table and the GeoPackage application_id),
// unless `overwrite`. GpkgWriter checks this itself; a job calls it first to refuse before any
// work.
void check_output_replaceable(const std::string& path, bool overwrite);
// Creates the output's directory when missing and checks that a file can be created in it;
// IoError (exit 4) naming the directory otherwise. A run calls it before any work.
void check_output_directory(const std::string& path);
// The same check without creating anything that stays (run --check): the output's directory, or
// the nearest existing one above it, is a directory in which a file can be created.
void check_output_creatable(const std::string& path);

class GpkgWriter {
 public:
  // An existing file at target_path is replaced only when it is a GeoPackage hotspot wrote (it has
  // a run_metadata table), or when `overwrite` is set; else UsageError before anything is written.
  explicit GpkgWriter(const std::string& target_path, bool overwrite = false);
  ~GpkgWriter();
  GpkgWriter(const GpkgWriter&) = delete;
  GpkgWriter& operator=(const GpkgWriter&) = delete;

  // Starts a layer (finishing the previous one). crs is ignored for GeometryType::kNone.
  LayerWriter& begin_layer(const std::string& name, GeometryType g, const Crs& crs,
                           std::vector<FieldDef> fields, const std::string& description);
  // A QGIS style for a layer, in the layer_styles table QGIS reads; as_default: the one QGIS
  // applies on load (one per layer), the others are offered in the layer's style menu.
  void add_style(const std::string& layer, const std::string& style_name, const std::string& qml,
                 bool as_default = true);
  // A Float32 raster as a tiled gridded coverage (OGC 17-066r1, the gpkg_2d_gridded_coverage
  // extension): one zoom level at the raster's own cell size, 256 × 256 TIFF tiles (LZW, as the
  // extension requires), tile row 0 at the top, partial tiles padded with nodata. gpkg_contents
  // holds the raster's true extent; the tile matrix set is that extent grown to whole tiles.
  void add_float_coverage(const std::string& table, const Crs& crs, const RasterFrame& frame,
                          const std::vector<float>& values, float nodata,
                          const std::string& description, int threads);
  // A QGIS project (the .qgs XML) in the qgis_projects table, the way QGIS's GeoPackage project
  // storage keeps it: the content is a .qgz (zip) in hex text. QGIS opens it from the Browser or
  // as geopackage:PATH?projectName=NAME.
  void add_qgis_project(const std::string& name, const std::string& qgs_xml);
  // Finishes the pending layer now (its catalogue rows and its spatial index), as the next
  // begin_layer() or commit() would; the LayerWriter begin_layer() returned is gone after it. A
  // step calls it before waiting on other threads, so the index is built while they work.
  void finish_layer();
  // Writes the pages SQLite holds to the file (inside the transaction, as a full page cache
  // would) and starts the kernel's write-back of the file, so that commit() has less left to
  // write and to sync. Changes nothing in the file's content. A step calls it before waiting on
  // other threads.
  void write_ahead();
  // Runs a statement with text parameters ?1, ?2, ...
  void exec(const std::string& sql, const std::vector<std::string>& params = {});
  // A part of the file that can be dropped again: begin_part() marks the state, end_part() keeps
  // what was added since (finishing a pending layer), abandon_part() drops it (an unfinished
  // layer too) as if it had never been begun. One part at a time. A run writes each analysis as
  // a part, so one that fails leaves nothing of itself behind.
  void begin_part();
  void end_part();
  void abandon_part();
  // Finishes, syncs and renames the file over the target.
  void commit();
  const std::string& temp_path() const { return temp_; }
  sqlite3* db() const { return db_; }

 private:
  friend class LayerWriter;
  int srs_id(const Crs& crs);
  void create_core_tables();
  sqlite3_stmt* prepare(const std::string& sql);
  void check(int rc, const char* what);

  std::string target_, temp_;
  sqlite3* db_ = nullptr;
  std::unique_ptr<LayerWriter> layer_;
  bool committed_ = false;
  bool styles_table_ = false;
  bool coverage_tables_ = false;
  int next_custom_srs_ = 100000;
  std::vector<std::pair<std::string, int>> srs_ids_;  // authority or WKT -> srs_id
  // What begin_part() saw of the state kept outside SQLite, restored by abandon_part().
  struct PartMark {
    bool open = false, styles_table = false, coverage_tables = false;
    int next_custom_srs = 0;
    std::vector<std::pair<std::string, int>> srs_ids;
  } part_;
};

std::string quote_identifier(std::string_view name);

}  // namespace hotspot
