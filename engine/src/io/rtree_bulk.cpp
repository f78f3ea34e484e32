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

struct Node {
  std::vector<RtreeEntry> cells;  // leaf: feature ids; internal: child node numbers
  RtreeEntry box{0, INFINITY, -INFINITY, INFINITY, -INFINITY};
  std::int64_t number = 0;
};

}  // namespace

int rtree_bulk_load(sqlite3* db, const std::string& name, std::vector<RtreeEntry> entries) {
  if (entries.empty()) return SQLITE_OK;  // CREATE VIRTUAL TABLE made a valid empty root
  // Leaves in Hilbert order of the entry centres.
  double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
  for (const auto& e : entries) x0 = std::min(x0, e.minx), x1 = std::max(x1, e.maxx), y0 = std::min(y0, e.miny), y1 = std::max(y1, e.maxy);
  const double sx = x1 > x0 ? 65535.0 / (x1 - x0) : 0, sy = y1 > y0 ? 65535.0 / (y1 - y0) : 0;
  std::vector<std::pair<std::uint64_t, std::size_t>> order(entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    auto hx = static_cast<std::uint32_t>(((e.minx + e.maxx) / 2 - x0) * sx);
    auto hy = static_cast<std::uint32_t>(((e.miny + e.maxy) / 2 - y0) * sy);
    order[i] = {hilbert(hx, hy), i};
  }
  std::sort(order.begin(), order.end());

  // Levels bottom-up; each level packs the one below, kMaxCells at a time.
  std::vector<std::vector<Node>> levels(1);
  for (std::size_t k = 0; k < order.size(); ++k) {
    if (k % kMaxCells == 0) levels[0].emplace_back();
    levels[0].back().cells.push_back(entries[order[k].second]);
  }
  auto close_box = [](Node& n) {
    for (const auto& c : n.cells)
      n.box.minx = std::min(n.box.minx, c.minx), n.box.maxx = std::max(n.box.maxx, c.maxx),
      n.box.miny = std::min(n.box.miny, c.miny), n.box.maxy = std::max(n.box.maxy, c.maxy);
  };
  for (auto& n : levels[0]) close_box(n);
  while (levels.back().size() > 1) {
    std::vector<Node> up;
    const auto& below = levels.back();
    for (std::size_t k = 0; k < below.size(); ++k) {
      if (k % kMaxCells == 0) up.emplace_back();
      up.back().cells.push_back(below[k].box);  // child number filled in below
    }
    for (auto& n : up) close_box(n);
    levels.push_back(std::move(up));
  }
  // Number the nodes: the root is 1, then level by level downwards.
  std::int64_t next = 1;
  for (auto level = levels.rbegin(); level != levels.rend(); ++level)
    for (auto& n : *level) n.number = next++;
  for (std::size_t l = 1; l < levels.size(); ++l) {
    std::size_t child = 0;
    for (auto& n : levels[l])
      for (auto& c : n.cells) c.id = levels[l - 1][child++].number;
  }

  sqlite3_stmt *node_st = nullptr, *rowid_st = nullptr, *parent_st = nullptr;
  int rc = sqlite3_prepare_v2(db, ("INSERT OR REPLACE INTO " + quote_identifier(name + "_node") + " VALUES (?1, ?2)").c_str(), -1, &node_st, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_prepare_v2(db, ("INSERT INTO " + quote_identifier(name + "_rowid") + " VALUES (?1, ?2)").c_str(), -1, &rowid_st, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_prepare_v2(db, ("INSERT INTO " + quote_identifier(name + "_parent") + " VALUES (?1, ?2)").c_str(), -1, &parent_st, nullptr);
  auto step = [&](sqlite3_stmt* st) {
    if (rc != SQLITE_OK) return;
    int r = sqlite3_step(st);
    rc = r == SQLITE_DONE ? SQLITE_OK : r;
    sqlite3_reset(st);
  };
  // Rows go into each shadow table in ascending key order: SQLite appends to its b-trees instead
  // of seeking (0.75 s -> 0.3 s for 1M _rowid rows).
  std::vector<std::pair<std::int64_t, std::int64_t>> rowids, parents;  // (key, node)
  std::vector<unsigned char> blob(kNodeBytes);
  const int depth = static_cast<int>(levels.size()) - 1;
  for (std::size_t l = levels.size(); l-- > 0 && rc == SQLITE_OK;) {
    for (const Node& n : levels[l]) {  // levels top-down: node numbers ascend
      std::fill(blob.begin(), blob.end(), 0);
      put_be(blob.data(), n.number == 1 ? static_cast<std::uint64_t>(depth) : 0, 2);
      put_be(blob.data() + 2, n.cells.size(), 2);
      unsigned char* p = blob.data() + 4;
      for (const auto& c : n.cells) {
        put_be(p, static_cast<std::uint64_t>(c.id), 8);
        put_float(p + 8, round_down(c.minx));
        put_float(p + 12, round_up(c.maxx));
        put_float(p + 16, round_down(c.miny));
        put_float(p + 20, round_up(c.maxy));
        p += kCellBytes;
        (l == 0 ? rowids : parents).emplace_back(c.id, n.number);
      }
      sqlite3_bind_int64(node_st, 1, n.number);
      sqlite3_bind_blob(node_st, 2, blob.data(), kNodeBytes, SQLITE_STATIC);
      step(node_st);
    }
  }
  std::sort(rowids.begin(), rowids.end());
  std::sort(parents.begin(), parents.end());
  for (auto [key, node] : rowids) {
    sqlite3_bind_int64(rowid_st, 1, key);
    sqlite3_bind_int64(rowid_st, 2, node);
    step(rowid_st);
  }
  for (auto [key, node] : parents) {
    sqlite3_bind_int64(parent_st, 1, key);
    sqlite3_bind_int64(parent_st, 2, node);
    step(parent_st);
  }
  sqlite3_finalize(node_st);
  sqlite3_finalize(rowid_st);
  sqlite3_finalize(parent_st);
  return rc;
}

}  // namespace hotspot
