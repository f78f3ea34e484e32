// Counts, rates, zone rings and zone <-> commune linkage against closed-form values and a
// brute-force count.
#include "hotspot/aggregate.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "index/polygon_index.hpp"

namespace hotspot {
namespace {

MultiPolygon square(double x0, double y0, double x1, double y1) {
  return {Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}, {}}};
}

// Four 1 km communes around the origin, and one 400 m zone straddling all four.
struct World {
  PolygonLayer communes, zones;
  Incidents inc;
  World() {
    int k = 0;
    for (double x0 : {-1000.0, 0.0})
      for (double y0 : {-1000.0, 0.0}) {
        communes.geom.push_back(square(x0, y0, x0 + 1000, y0 + 1000));
        std::string n = std::to_string(k++);
        communes.id.push_back("C");
        communes.id.back() += n;
        communes.name.push_back("Xã ");
        communes.name.back() += n;
        communes.population.push_back(2000);
      }
    zones.geom.push_back(square(-200, -200, 200, 200));
    zones.id.push_back("Z");
    zones.name.push_back("KCN Tràng Duệ");
  }
  void add(double x, double y, std::uint32_t cat) {
    inc.x.push_back(x), inc.y.push_back(y), inc.category.push_back(cat);
    inc.time_utc.push_back(kNoTime), inc.line.push_back(static_cast<std::int64_t>(inc.x.size()));
    inc.lon.push_back(NAN), inc.lat.push_back(NAN);
    inc.id.push_back(std::to_string(inc.x.size()));
  }
};

TEST(Aggregate, CountsMatchABruteForceCountAndEveryPointCountsOnce) {
  World w;
  w.inc.categories.intern("theft");
  w.inc.categories.intern("robbery");
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(-1100, 1100);
  for (int i = 0; i < 5000; ++i) w.add(u(rng), u(rng), static_cast<std::uint32_t>(i % 2));
  // Points exactly on the shared boundaries and on the shared corner.
  for (double t : {-500.0, 0.0, 250.0}) w.add(0, t, 0), w.add(t, 0, 0);
  Assignment a = assign_incidents(w.inc, w.communes, w.zones, 2);
  CommuneStats s = commune_stats(w.inc, w.communes, a);
  std::vector<std::int64_t> expected(4, 0);
  std::int64_t outside = 0;
  for (std::size_t i = 0; i < w.inc.size(); ++i) {
    auto c = locate_brute_force(w.communes.geom, {w.inc.x[i], w.inc.y[i]});
    if (c < 0) ++outside; else ++expected[static_cast<std::size_t>(c)];
  }
  EXPECT_EQ(s.count, expected);
  EXPECT_EQ(a.outside_communes, outside);
  std::int64_t total = 0;
  for (auto n : s.count) total += n;
  EXPECT_EQ(total + outside, static_cast<std::int64_t>(w.inc.size()));
  for (std::size_t c = 0; c < 4; ++c) {
    EXPECT_NEAR(s.area_km2[c], 1.0, 1e-12);
    EXPECT_NEAR(s.per_km2[c], static_cast<double>(s.count[c]), 1e-9);
    EXPECT_NEAR(s.per_1000[c], static_cast<double>(s.count[c]) / 2.0, 1e-9);
    EXPECT_EQ(s.by_category[c * 2] + s.by_category[c * 2 + 1], s.count[c]);
  }
  // Same answer on one thread.
  Assignment a1 = assign_incidents(w.inc, w.communes, w.zones, 1);
  EXPECT_EQ(a1.commune, a.commune);
  EXPECT_EQ(a1.zone, a.zone);
}

TEST(Aggregate, ZoneRingAndLinkageClosedForm) {
  World w;
  w.inc.categories.intern("theft");
  w.add(-100, -100, 0);  // inside the zone, commune 0
  w.add(150, 150, 0);    // inside the zone, commune 3
  w.add(250, 150, 0);    // ring (50 m out), commune 3
  w.add(-350, 0.5, 0);   // ring on the west side, commune 1
  w.add(600, 600, 0);    // beyond the ring
  const double buffer = 200;
  Assignment a = assign_incidents(w.inc, w.communes, w.zones, 1);
  ZoneStats z = zone_stats(w.inc, w.communes, w.zones, a, buffer);
  EXPECT_NEAR(z.area_ha[0], 16.0, 1e-9);
  EXPECT_EQ(z.count_inside[0], 2);
  EXPECT_EQ(z.count_ring[0], 2);
  EXPECT_NEAR(z.per_ha[0], 2.0 / 16.0, 1e-12);
  // GEOS approximates each buffer corner by 16 segments per quarter circle: the exact area of
  // that polygon is the rectangle strips plus 4 * (16/2) r^2 sin(pi/32).
  const double corners = 4 * 8 * buffer * buffer * std::sin(M_PI / 32);
  const double ring_m2 = 4 * 400 * buffer + corners;
  EXPECT_NEAR(z.ring_area_ha[0], ring_m2 / 1e4, 1e-6);
  ASSERT_EQ(z.links.size(), 4u);
  for (const auto& link : z.links) {
    EXPECT_NEAR(link.shared_area_km2, 0.04, 1e-12);       // a 200 m x 200 m quarter each
    EXPECT_NEAR(link.ring_area_km2, ring_m2 / 4 / 1e6, 1e-9);
    EXPECT_NEAR(link.fence_length_m, 400.0, 1e-9);         // two 200 m sides of the fence
  }
  EXPECT_EQ(z.links[0].incidents_shared, 1);
  EXPECT_EQ(z.links[3].incidents_shared, 1);
  EXPECT_EQ(z.links[3].incidents_ring, 1);
  EXPECT_EQ(z.links[1].incidents_ring, 1);
}

}  // namespace
}  // namespace hotspot
