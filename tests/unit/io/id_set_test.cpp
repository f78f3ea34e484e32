// IdSet (the duplicate-id check of the incident readers) against std::set, its brute-force twin:
// ids in ascending order (the fast path), out of order from the start, and ascending ids that
// later turn back to repeat early ones; rejected ids are popped, as RowChecker does.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>

#include "io/incident_rows.hpp"

namespace hotspot {
namespace {

// Feeds ids through IdSet the way RowChecker does; returns which were accepted.
std::vector<bool> accept(const std::vector<std::string>& ids, std::size_t expected) {
  StringColumn column;
  incident_rows::IdSet set(column, expected);
  std::vector<bool> out;
  for (const auto& id : ids) {
    column.push_back(id);
    const bool ok = set.insert_last();
    if (!ok) column.pop_back();
    out.push_back(ok);
  }
  return out;
}

std::vector<bool> brute_force(const std::vector<std::string>& ids) {
  std::set<std::string> seen;
  std::vector<bool> out;
  for (const auto& id : ids) out.push_back(seen.insert(id).second);
  return out;
}

TEST(IdSet, AscendingIdsThenRepeatsOfEarlyOnes) {
  std::vector<std::string> ids;
  for (int i = 1; i <= 5000; ++i) ids.push_back(std::to_string(i));  // 9 < 10 in shortlex order
  ids.push_back("17");    // out of order and a repeat
  ids.push_back("5001");  // new
  ids.push_back("5000");  // repeat
  ids.push_back("1");     // repeat
  ids.push_back("0");     // new
  for (std::size_t expected : {std::size_t{0}, std::size_t{10}, std::size_t{6000}})
    EXPECT_EQ(accept(ids, expected), brute_force(ids)) << expected;
}

TEST(IdSet, EqualNeighboursAreDuplicatesOnTheFastPath) {
  const std::vector<std::string> ids = {"A1", "A2", "A2", "A3", "B", "B"};
  EXPECT_EQ(accept(ids, 0), brute_force(ids));
  EXPECT_EQ(accept(ids, 0), (std::vector<bool>{true, true, false, true, true, false}));
}

TEST(IdSet, RandomSequencesMatchASet) {
  std::mt19937_64 rng(3);
  for (int trial = 0; trial < 200; ++trial) {
    std::uniform_int_distribution<int> n_of(0, 3000), pick(0, 4000), mode(0, 2);
    const int n = n_of(rng);
    std::vector<std::string> ids;
    const int m = mode(rng);
    for (int i = 0; i < n; ++i) {
      if (m == 0) ids.push_back("INC" + std::to_string(pick(rng)));               // random order
      else if (m == 1) ids.push_back(std::to_string(i + (pick(rng) < 40 ? -5 : 0)));  // nearly sorted
      else ids.push_back(std::string(static_cast<std::size_t>(pick(rng) % 3), 'x') + std::to_string(i % 700));
    }
    EXPECT_EQ(accept(ids, static_cast<std::size_t>(n) / 2), brute_force(ids)) << "trial " << trial;
  }
}

}  // namespace
}  // namespace hotspot
