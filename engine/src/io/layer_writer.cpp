// LayerWriter: a GeoPackage layer's rows, queued and inserted up to 64 at a time (see
// gpkg_writer.hpp), then its catalogue rows and its spatial index.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "hotspot/error.hpp"
#include "hotspot/ingest.hpp"
#include "io/gpkg_writer.hpp"
#include "util/time.hpp"

namespace hotspot {

namespace {

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
  insert_head_ = "INSERT INTO " + quote_identifier(name_) + " (\"fid\"";
  if (g != GeometryType::kNone) {
    create += ", \"geom\" " + std::string(geometry_name(g));
    insert_head_ += ", \"geom\"";
  }
  first_field_ = g != GeometryType::kNone ? 2 : 1;
  for (const auto& f : fields_) {
    const char* t = f.type == FieldType::kInteger ? "INTEGER"
                    : f.type == FieldType::kReal  ? "REAL"
                    : f.type == FieldType::kText  ? "TEXT"
                                                  : "DATETIME";
    create += ", " + quote_identifier(f.name) + " " + t;
    insert_head_ += ", " + quote_identifier(f.name);
  }
  insert_head_ += ") VALUES ";
  columns_ = first_field_ + fields_.size();
  insert_row_ = "(?";
  for (std::size_t c = 1; c < columns_; ++c) insert_row_ += ",?";
  insert_row_ += ")";
  w_.exec(create + ")");
  // 64 rows, fewer for very wide layers: a statement takes at most SQLITE_LIMIT_VARIABLE_NUMBER
  // parameters.
  const auto limit = static_cast<std::size_t>(sqlite3_limit(w_.db_, SQLITE_LIMIT_VARIABLE_NUMBER, -1));
  batch_rows_ = std::max<std::size_t>(1, std::min<std::size_t>(64, limit / columns_));
  batch_ = insert_statement(batch_rows_);
  values_.resize(batch_rows_ * columns_);
}

LayerWriter::~LayerWriter() { sqlite3_finalize(batch_); }

sqlite3_stmt* LayerWriter::insert_statement(std::size_t rows) {
  std::string sql = insert_head_;
  sql.reserve(sql.size() + rows * (insert_row_.size() + 1));
  for (std::size_t r = 0; r < rows; ++r) (sql += r ? "," : "") += insert_row_;
  return w_.prepare(sql);
}

LayerWriter::Value& LayerWriter::value(int field) {
  if (field < 0 || static_cast<std::size_t>(field) >= fields_.size())
    throw InternalError("layer " + name_ + ": no field " + std::to_string(field));
  return values_[queued_ * columns_ + first_field_ + static_cast<std::size_t>(field)];
}

void LayerWriter::set_null(int field) { value(field) = Value{}; }
void LayerWriter::set(int field, std::int64_t v) {
  Value& x = value(field);
  x.kind = Value::kInt, x.i = v;
}
void LayerWriter::set(int field, double v) {
  if (!std::isfinite(v)) return set_null(field);
  Value& x = value(field);
  x.kind = Value::kReal, x.d = v;
}
void LayerWriter::set(int field, std::string_view v) {
  Value& x = value(field);
  x.kind = Value::kText, x.i = static_cast<std::int64_t>(bytes_.size()), x.size = v.size();
  bytes_.append(v);
}
void LayerWriter::set_time(int field, std::int64_t t) {
  if (t == kNoTime) return set_null(field);
  // GeoPackage DATETIME is ISO 8601 UTC with milliseconds.
  const std::string_view text = utc_(t);
  Value& x = value(field);
  x.kind = Value::kText, x.i = static_cast<std::int64_t>(bytes_.size()), x.size = text.size() + 4;
  bytes_.append(text.substr(0, text.size() - 1)).append(".000Z");
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
  const std::int64_t fid = next_fid_++;
  Value* row = values_.data() + queued_ * columns_;
  row[0].kind = Value::kInt, row[0].i = fid;
  if (geom_type_ != GeometryType::kNone) {
    if (has_geom_ && !row_box_.empty()) {
      row[1].kind = Value::kBlob, row[1].i = static_cast<std::int64_t>(bytes_.size()),
      row[1].size = blob_.size();
      bytes_.append(reinterpret_cast<const char*>(blob_.data()), blob_.size());
      rtree_.push_back({fid, row_box_.xmin, row_box_.xmax, row_box_.ymin, row_box_.ymax});
      extent_.expand(row_box_);
    } else {
      row[1] = Value{};
    }
  }
  has_geom_ = false;
  if (++queued_ == batch_rows_) flush();
  return fid;
}

void LayerWriter::flush() {
  if (queued_ == 0) return;
  // A short last batch gets a statement of its own size.
  sqlite3_stmt* st = queued_ == batch_rows_ ? batch_ : insert_statement(queued_);
  const char* bytes = bytes_.data();  // stable: nothing is appended until the step is done
  int rc = SQLITE_OK;
  for (std::size_t k = 0; k < queued_ * columns_ && rc == SQLITE_OK; ++k) {
    const Value& v = values_[k];
    const int at = static_cast<int>(k + 1);
    switch (v.kind) {
      case Value::kNull: rc = sqlite3_bind_null(st, at); break;
      case Value::kInt: rc = sqlite3_bind_int64(st, at, v.i); break;
      case Value::kReal: rc = sqlite3_bind_double(st, at, v.d); break;
      case Value::kText:
        rc = sqlite3_bind_text(st, at, bytes + v.i, static_cast<int>(v.size), SQLITE_STATIC);
        break;
      case Value::kBlob:
        rc = sqlite3_bind_blob(st, at, bytes + v.i, static_cast<int>(v.size), SQLITE_STATIC);
        break;
    }
  }
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (st != batch_) sqlite3_finalize(st);
  std::fill(values_.begin(), values_.begin() + static_cast<std::ptrdiff_t>(queued_ * columns_), Value{});
  queued_ = 0;
  bytes_.clear();
  if (rc != SQLITE_DONE) w_.check(rc, "insert");
}

void LayerWriter::finish() {
  flush();
  sqlite3_finalize(batch_);
  batch_ = nullptr;
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


}  // namespace hotspot
