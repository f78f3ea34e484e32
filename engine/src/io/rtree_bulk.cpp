#include "io/rtree_bulk.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "io/gpkg_writer.hpp"

namespace hotspot {

namespace {

constexpr int kMaxCells = 51;  // RTREE_MAXCELLS in SQLite's rtree.c
constexpr int kCellBytes = 8 + 4 * 4;
constexpr int kNodeBytes = 4 + kCellBytes * kMaxCells;

// Float32 bounds that still contain the double ones, as SQLite's rtreeValueDown/Up do.
float round_down(double d) {
  auto f = static_cast<float>(d);
  return static_cast<double>(f) > d ? std::nextafter(f, -INFINITY) : f;
}
float round_up(double d) {
  auto f = static_cast<float>(d);
  return static_cast<double>(f) < d ? std::nextafter(f, INFINITY) : f;
}

std::uint64_t hilbert(std::uint32_t x, std::uint32_t y) {  // 16-bit coordinates
  std::uint64_t d = 0;
  for (std::uint32_t s = 1u << 15; s > 0; s >>= 1) {
    std::uint32_t rx = (x & s) ? 1 : 0, ry = (y & s) ? 1 : 0;
    d += static_cast<std::uint64_t>(s) * s * ((3 * rx) ^ ry);
    if (ry == 0) {
      if (rx == 1) x = (s - 1) - (x & (s - 1)) + (x & ~(s - 1)), y = (s - 1) - (y & (s - 1)) + (y & ~(s - 1));
      std::swap(x, y);
    }
  }
  return d;
}

void put_be(unsigned char* p, std::uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i, v >>= 8) p[i] = static_cast<unsigned char>(v & 0xFF);
}
void put_float(unsigned char* p, float f) {
  std::uint32_t u;
  static_assert(sizeof u == sizeof f);
  std::memcpy(&u, &f, 4);
  put_be(p, u, 4);
}

}  // namespace

int rtree_bulk_load(sqlite3* db, const std::string& name, std::vector<RtreeEntry> entries) {
  if (entries.empty()) return SQLITE_OK;  // CREATE VIRTUAL TABLE made a valid empty root
  const std::size_t n = entries.size();

  // Entries in Hilbert order of their centres, permuted in place (the input is the only full
  // copy: this runs on millions of incidents).
  {
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (const auto& e : entries)
      x0 = std::min(x0, e.minx), x1 = std::max(x1, e.maxx), y0 = std::min(y0, e.miny), y1 = std::max(y1, e.maxy);
    const double sx = x1 > x0 ? 65535.0 / (x1 - x0) : 0, sy = y1 > y0 ? 65535.0 / (y1 - y0) : 0;
    std::vector<std::pair<std::uint64_t, std::size_t>> order(n);
    for (std::size_t i = 0; i < n; ++i) {
      const auto& e = entries[i];
      auto hx = static_cast<std::uint32_t>(((e.minx + e.maxx) / 2 - x0) * sx);
      auto hy = static_cast<std::uint32_t>(((e.miny + e.maxy) / 2 - y0) * sy);
      order[i] = {hilbert(hx, hy), i};
    }
    std::sort(order.begin(), order.end());
    constexpr std::size_t kPlaced = ~std::size_t{0};
    for (std::size_t i = 0; i < n; ++i) {  // follow each cycle of the permutation once
      if (order[i].second == kPlaced || order[i].second == i) continue;
      RtreeEntry first = entries[i];
      std::size_t j = i;
      for (;;) {
        std::size_t from = order[j].second;
        order[j].second = kPlaced;
        if (from == i) {
          entries[j] = first;
          break;
        }
        entries[j] = entries[from];
        j = from;
      }
    }
  }

  // Leaves are runs of kMaxCells sorted entries. boxes[l] holds the boxes of the level-l nodes;
  // each level packs the one below it, kMaxCells at a time, up to a single root.
  auto pack = [](auto begin_cell, std::size_t count) {
    std::vector<RtreeEntry> out((count + kMaxCells - 1) / kMaxCells, RtreeEntry{0, INFINITY, -INFINITY, INFINITY, -INFINITY});
    for (std::size_t k = 0; k < count; ++k) {
      const RtreeEntry& c = begin_cell[k];
      RtreeEntry& b = out[k / kMaxCells];
      b.minx = std::min(b.minx, c.minx), b.maxx = std::max(b.maxx, c.maxx);
      b.miny = std::min(b.miny, c.miny), b.maxy = std::max(b.maxy, c.maxy);
    }
    return out;
  };
  std::vector<std::vector<RtreeEntry>> boxes{pack(entries.begin(), n)};
  while (boxes.back().size() > 1) boxes.push_back(pack(boxes.back().begin(), boxes.back().size()));
  const std::size_t levels = boxes.size();
  // Node numbers: the root is 1, then level by level downwards, left to right.
  std::vector<std::int64_t> first(levels);
  first[levels - 1] = 1;
  for (std::size_t l = levels - 1; l-- > 0;) first[l] = first[l + 1] + static_cast<std::int64_t>(boxes[l + 1].size());

  sqlite3_stmt *node_st = nullptr, *rowid_st = nullptr, *parent_st = nullptr;
  // _rowid has a row per entry: kRowidBatch rows per statement, as LayerWriter does.
  constexpr std::size_t kRowidBatch = 64;
  const std::string rowid_sql = "INSERT INTO " + quote_identifier(name + "_rowid") + " VALUES ";
  auto rowid_rows = [&](std::size_t rows) {
    std::string sql = rowid_sql;
    for (std::size_t r = 0; r < rows; ++r) sql += r ? ",(?,?)" : "(?,?)";
    return sql;
  };
  int rc = sqlite3_prepare_v2(db, ("INSERT OR REPLACE INTO " + quote_identifier(name + "_node") + " VALUES (?1, ?2)").c_str(), -1, &node_st, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_prepare_v2(db, rowid_rows(kRowidBatch).c_str(), -1, &rowid_st, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_prepare_v2(db, ("INSERT INTO " + quote_identifier(name + "_parent") + " VALUES (?1, ?2)").c_str(), -1, &parent_st, nullptr);
  auto step = [&](sqlite3_stmt* st) {
    if (rc != SQLITE_OK) return;
    int r = sqlite3_step(st);
    rc = r == SQLITE_DONE ? SQLITE_OK : r;
    sqlite3_reset(st);
  };
  auto insert_pair = [&](sqlite3_stmt* st, std::int64_t key, std::int64_t value) {
    sqlite3_bind_int64(st, 1, key);
    sqlite3_bind_int64(st, 2, value);
    step(st);
  };

  // Every shadow table is filled in ascending key order, so SQLite appends to its b-trees
  // instead of seeking. Nodes and _parent rows come out ascending when levels are walked from the
  // root down.
  std::vector<unsigned char> blob(kNodeBytes);
  for (std::size_t l = levels; l-- > 0 && rc == SQLITE_OK;) {
    const std::size_t count = boxes[l].size();
    const std::size_t cells_below = l == 0 ? n : boxes[l - 1].size();
    for (std::size_t j = 0; j < count; ++j) {
      const std::int64_t number = first[l] + static_cast<std::int64_t>(j);
      const std::size_t c0 = j * kMaxCells, c1 = std::min(cells_below, c0 + kMaxCells);
      std::fill(blob.begin(), blob.end(), 0);
      put_be(blob.data(), number == 1 ? levels - 1 : 0, 2);  // the root holds the tree depth
      put_be(blob.data() + 2, c1 - c0, 2);
      unsigned char* p = blob.data() + 4;
      for (std::size_t c = c0; c < c1; ++c) {
        const RtreeEntry& cell = l == 0 ? entries[c] : boxes[l - 1][c];
        const std::int64_t id = l == 0 ? cell.id : first[l - 1] + static_cast<std::int64_t>(c);
        put_be(p, static_cast<std::uint64_t>(id), 8);
        put_float(p + 8, round_down(cell.minx));
        put_float(p + 12, round_up(cell.maxx));
        put_float(p + 16, round_down(cell.miny));
        put_float(p + 20, round_up(cell.maxy));
        p += kCellBytes;
        if (l > 0) insert_pair(parent_st, id, number);
      }
      sqlite3_bind_int64(node_st, 1, number);
      sqlite3_bind_blob(node_st, 2, blob.data(), kNodeBytes, SQLITE_STATIC);
      step(node_st);
    }
  }

  // _rowid in ascending feature id. Writers number features 1..n, so a dense array indexed by id
  // (8 bytes an entry) does; sparse ids fall back to sorting (id, leaf) pairs.
  std::vector<std::int64_t> queued;  // key, value, key, value, ...
  auto flush_rowids = [&] {
    if (queued.empty() || rc != SQLITE_OK) return;
    sqlite3_stmt* st = rowid_st;
    if (queued.size() != 2 * kRowidBatch) {
      rc = sqlite3_prepare_v2(db, rowid_rows(queued.size() / 2).c_str(), -1, &st, nullptr);
      if (rc != SQLITE_OK) return;
    }
    for (std::size_t k = 0; k < queued.size(); ++k) sqlite3_bind_int64(st, static_cast<int>(k + 1), queued[k]);
    step(st);
    if (st != rowid_st) sqlite3_finalize(st);
    queued.clear();
  };
  auto insert_rowid = [&](std::int64_t id, std::int64_t node) {
    queued.push_back(id), queued.push_back(node);
    if (queued.size() == 2 * kRowidBatch) flush_rowids();
  };
  std::int64_t lo = entries[0].id, hi = entries[0].id;
  for (const auto& e : entries) lo = std::min(lo, e.id), hi = std::max(hi, e.id);
  auto leaf_of = [&](std::size_t pos) { return first[0] + static_cast<std::int64_t>(pos / kMaxCells); };
  if (static_cast<std::uint64_t>(hi - lo) < 4 * static_cast<std::uint64_t>(n)) {
    std::vector<std::int64_t> node_of(static_cast<std::size_t>(hi - lo + 1), 0);
    for (std::size_t pos = 0; pos < n; ++pos) node_of[static_cast<std::size_t>(entries[pos].id - lo)] = leaf_of(pos);
    for (std::size_t k = 0; k < node_of.size(); ++k)
      if (node_of[k] != 0) insert_rowid(lo + static_cast<std::int64_t>(k), node_of[k]);
  } else {
    std::vector<std::pair<std::int64_t, std::int64_t>> rows(n);
    for (std::size_t pos = 0; pos < n; ++pos) rows[pos] = {entries[pos].id, leaf_of(pos)};
    std::sort(rows.begin(), rows.end());
    for (auto [id, node] : rows) insert_rowid(id, node);
  }
  flush_rowids();
  sqlite3_finalize(node_st);
  sqlite3_finalize(rowid_st);
  sqlite3_finalize(parent_st);
  return rc;
}

}  // namespace hotspot
