#pragma once
// The spdep reference of tests/golden/local (made by tests/golden/make_local_reference.R): inputs
// and per-unit values, read without R.
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "io/units.hpp"

namespace hotspot::test {

inline std::string golden_dir() { return std::string(HOTSPOT_SOURCE_DIR) + "/tests/golden/local/"; }

// Splits a CSV line written by R's write.csv (quoted strings without commas inside).
inline std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool q = false;
  for (char c : line) {
    if (c == '"')
      q = !q;
    else if (c == ',' && !q)
      out.push_back(cur), cur.clear();
    else
      cur += c;
  }
  out.push_back(cur);
  return out;
}

inline double num(const std::string& s) {
  return s.empty() || s == "NA" ? std::nan("") : std::strtod(s.c_str(), nullptr);
}

struct RefRow {
  bool island = false;
  std::vector<std::int32_t> neighbours;
  double gi_z, Ii, EIi, VarIi, ZIi, p, p_bh;
};

// case name -> rows in unit order
inline std::map<std::string, std::vector<RefRow>> read_reference() {
  std::ifstream in(golden_dir() + "reference.csv");
  std::string line;
  std::getline(in, line);
  std::map<std::string, std::vector<RefRow>> out;
  while (std::getline(in, line)) {
    auto f = split_csv(line);
    RefRow r;
    r.island = f[2] == "1";
    std::istringstream nb(f[3]);
    for (std::int32_t j; nb >> j;) r.neighbours.push_back(j);
    r.gi_z = num(f[4]), r.Ii = num(f[5]), r.EIi = num(f[6]), r.VarIi = num(f[7]), r.ZIi = num(f[8]);
    r.p = num(f[9]), r.p_bh = num(f[10]);
    out[f[0]].push_back(r);
  }
  return out;
}

struct RefGlobal {
  double I, E, V, z;
};
inline std::map<std::string, RefGlobal> read_global() {
  std::ifstream in(golden_dir() + "global.csv");
  std::string line;
  std::getline(in, line);
  std::map<std::string, RefGlobal> out;
  while (std::getline(in, line)) {
    auto f = split_csv(line);
    out[f[0]] = {num(f[1]), num(f[2]), num(f[3]), num(f[4])};
  }
  return out;
}

inline UnitLayer golden_units(const std::string& file, const std::string& field,
                              const std::string& crs) {
  UnitOptions o;
  o.path = golden_dir() + file;
  o.value_field = field;
  o.crs = crs;
  return read_units(o);
}

}  // namespace hotspot::test
