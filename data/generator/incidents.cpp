#include "incidents.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <memory>
#include <stdexcept>

#include "rng.hpp"

namespace datagen {

// A time that is empty or does not parse keeps its row (reason "time_missing": accepted, without
// a time), so bad_timestamp is not among the reasons the sample's rows are rejected for.
const char* const kRejectReasons[5] = {"bad_number", "missing_coordinate", "swapped_axes",
                                       "outside_area", "duplicate_id"};

namespace {

const char* const kCategories[6] = {"theft",    "robbery",     "assault",
                                    "burglary", "disturbance", "drugs"};
constexpr std::uint8_t kRobbery = 1;  // index into kCategories

// Two years of local time (UTC+07:00, no daylight saving): 2024-01-01 00:00 to 2025-12-31 23:59.
constexpr std::int64_t kDays = 731;
constexpr std::int64_t kDaySec = 86400;
constexpr std::int64_t kEpochDay2024 = 19723;  // 2024-01-01 in days since 1970-01-01

constexpr double kGateShare = 0.25, kRoadShare = 0.20;
constexpr double kNaiveShare = 0.10;  // timestamps written without an offset
constexpr double kShiftSdSec = 15 * 60, kShiftMaxSec = 45 * 60;
constexpr double kRoadSdM = 30;
constexpr double kGateSdMinM = 60, kGateSdMaxM = 120;

const double kGateMix[6] = {0.45, 0.02, 0.20, 0.01, 0.30, 0.02};
const double kBackgroundMix[6] = {0.35, 0.07, 0.10, 0.20, 0.18, 0.10};
// Relative incidents per hour of the day for the background: quiet before dawn, busy evenings.
const double kHourProfile[24] = {2.0, 1.5, 1.0, 0.8, 0.8, 1.2, 2.0, 3.0, 3.8, 4.0, 4.0, 4.5,
                                 5.0, 4.5, 4.5, 5.0, 5.5, 6.5, 7.5, 8.0, 7.5, 6.0, 4.5, 3.0};

struct Rec {
  std::int64_t t;  // local seconds since 2024-01-01 00:00
  double x, y;     // metres, later lon/lat
  std::uint32_t gen;
  std::uint8_t cat, naive;
};

// Cumulative weights; pick() is a binary search on one uniform draw.
class Picker {
 public:
  explicit Picker(const std::vector<double>& w) {
    double acc = 0;
    for (double v : w) cum_.push_back(acc += v);
  }
  std::size_t pick(Rng& rng) const {
    const double u = rng.uniform() * cum_.back();
    const auto it = std::upper_bound(cum_.begin(), cum_.end(), u);
    return std::min(static_cast<std::size_t>(it - cum_.begin()), cum_.size() - 1);
  }

 private:
  std::vector<double> cum_;
};

Picker mix(const double (&w)[6]) { return Picker(std::vector<double>(w, w + 6)); }

// H. Hinnant's civil_from_days.
void civil(std::int64_t z, int* y, int* m, int* d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = static_cast<int>(yoe + era * 400 + (*m <= 2 ? 1 : 0));
}

std::string format_time(std::int64_t t, bool naive) {
  int y, m, d;
  civil(kEpochDay2024 + t / kDaySec, &y, &m, &d);
  const auto s = static_cast<int>(t % kDaySec);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d%c%02d:%02d:%02d%s", y, m, d, naive ? ' ' : 'T',
                s / 3600, s / 60 % 60, s % 60, naive ? "" : "+07:00");
  return buf;
}

// Six decimals (~0.1 m), independent of the C locale.
void put_coord(std::string& out, double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 6);
  out.append(buf, r.ptr);
}

std::string coord(double v) {
  std::string s;
  put_coord(s, v);
  return s;
}

class Sampler {
 public:
  explicit Sampler(const District& d) : d_(d) {
    std::vector<double> pop;
    for (const Commune& c : d.communes) pop.push_back(c.population);
    by_population_ = std::make_unique<Picker>(pop);
    std::vector<double> len;
    for (const Road& r : d.roads) len.push_back(r.length_m());
    by_length_ = std::make_unique<Picker>(len);
  }

  // Uniform in a commune chosen in proportion to its population.
  Pt background(Rng& rng) const {
    const Commune& c = d_.communes[by_population_->pick(rng)];
    for (int i = 0; i < 1000000; ++i) {
      const Pt p{rng.uniform(c.pip.xmin(), c.pip.xmax()), rng.uniform(c.pip.ymin(), c.pip.ymax())};
      if (c.pip.contains(p) && d_.inner.contains(p)) return p;
    }
    throw std::runtime_error("cannot sample inside commune " + c.id);
  }

  // Along a road chosen by length, scattered perpendicular to it.
  Pt road(Rng& rng) const {
    for (;;) {
      const Road& r = d_.roads[by_length_->pick(rng)];
      const double s = rng.uniform() * r.length_m();
      auto k = static_cast<std::size_t>(std::upper_bound(r.cum_m.begin(), r.cum_m.end(), s) -
                                        r.cum_m.begin());
      k = std::clamp<std::size_t>(k, 1, r.pts.size() - 1);
      const Pt a = r.pts[k - 1], b = r.pts[k];
      const double seg = r.cum_m[k] - r.cum_m[k - 1];
      if (seg <= 0) continue;
      const double f = (s - r.cum_m[k - 1]) / seg;
      const double nx = -(b.y - a.y) / seg, ny = (b.x - a.x) / seg;
      const double off = rng.normal(0, kRoadSdM);
      const Pt p{a.x + f * (b.x - a.x) + off * nx, a.y + f * (b.y - a.y) + off * ny};
      if (d_.inner.contains(p)) return p;
    }
  }

  bool inside(Pt p) const { return d_.inner.contains(p); }

 private:
  const District& d_;
  std::unique_ptr<Picker> by_population_, by_length_;
};

std::int64_t day_time(Rng& rng, std::int64_t day_seconds) {
  return static_cast<std::int64_t>(rng.below(kDays)) * kDaySec + day_seconds;
}

int digits(std::int64_t n) {
  int d = 1;
  while (n >= 10) {
    n /= 10;
    ++d;
  }
  return d;
}

class Out {
 public:
  explicit Out(const std::string& path) : f_(std::fopen(path.c_str(), "wb")) {
    if (!f_) throw std::runtime_error("cannot write " + path);
    buf_.reserve(kFlush + 4096);
  }
  ~Out() {
    if (f_) std::fclose(f_);
  }
  std::string& buf() { return buf_; }
  void maybe_flush() {
    if (buf_.size() >= kFlush) flush();
  }
  void close() {
    flush();
    if (std::fclose(f_) != 0) throw std::runtime_error("write error");
    f_ = nullptr;
  }

 private:
  void flush() {
    if (std::fwrite(buf_.data(), 1, buf_.size(), f_) != buf_.size())
      throw std::runtime_error("write error");
    buf_.clear();
  }
  static constexpr std::size_t kFlush = 1 << 20;
  std::FILE* f_;
  std::string buf_;
};

struct EdgeSpec {
  const char* reason;
  const char* note;
  int variant;
};

// The edge-case rows: 18 that a reader must reject, one defect each, 3 whose time is bad (kept
// without a time), and 3 valid rows whose quoted category holds a comma.
const EdgeSpec kEdgeSpecs[24] = {
    {"bad_number", "lon is 'abc'", 0},
    {"bad_number", "lat is 'NaN'", 1},
    {"bad_number", "lon is 'inf'", 2},
    {"bad_number", "lat is '1e400' (overflows a double)", 3},
    {"bad_number", "lat is '1e400' (overflows a double)", 3},
    {"bad_number", "lat is '1e400' (overflows a double)", 3},
    {"missing_coordinate", "lat is empty", 4},
    {"missing_coordinate", "lon is empty", 5},
    {"missing_coordinate", "lon and lat are empty", 6},
    {"swapped_axes", "lon and lat swapped", 7},
    {"swapped_axes", "lon and lat swapped", 7},
    {"swapped_axes", "lon and lat swapped", 7},
    {"outside_area", "London", 8},
    {"outside_area", "New York", 9},
    {"outside_area", "Sydney", 10},
    {"time_missing", "time is '2024-13-45 25:00'", 11},
    {"time_missing", "time is 'yesterday'", 12},
    {"time_missing", "time is empty", 13},
    {"duplicate_id", "reuses the id of the previous row", 14},
    {"duplicate_id", "reuses the id of the previous row", 14},
    {"duplicate_id", "reuses the id of the previous row", 14},
    {"accepted", "valid: quoted category with an embedded comma", 15},
    {"accepted", "valid: quoted category with an embedded comma", 15},
    {"accepted", "valid: quoted category with an embedded comma", 15},
};

}  // namespace

IncidentReport write_incidents(const District& d, Projector& proj, const IncidentOptions& opt,
                               const std::string& path) {
  const std::int64_t n = opt.count;
  if (n < 0) throw std::invalid_argument("--incidents must not be negative");
  if (opt.edge_rows && n < 100) throw std::invalid_argument("--bad-rows needs --incidents >= 100");
  IncidentReport rep;
  Sampler sampler(d);
  Rng rng(opt.seed, "incidents");

  struct Gate {
    Pt p;
    double sd_m;
  };
  std::vector<Gate> gates;
  std::vector<double> gate_w;
  for (const Zone& z : d.zones)
    for (const Pt& p : z.gates) {
      gates.push_back({p, rng.uniform(kGateSdMinM, kGateSdMaxM)});
      gate_w.push_back(rng.uniform(0.6, 1.4));
    }
  const Picker gate_pick(gate_w), gate_mix = mix(kGateMix), bg_mix = mix(kBackgroundMix);
  const Picker hour_pick(std::vector<double>(kHourProfile, kHourProfile + 24));

  rep.gate = std::llround(kGateShare * static_cast<double>(n));
  rep.road = std::llround(kRoadShare * static_cast<double>(n));
  rep.repeated_address_rows = n / 100;
  rep.repeated_addresses = rep.repeated_address_rows * 2 / 5;
  if (rep.repeated_addresses == 0) rep.repeated_address_rows = 0;
  rep.background = n - rep.gate - rep.road;

  std::vector<Rec> recs;
  recs.reserve(static_cast<std::size_t>(n));
  auto add = [&](Pt p, std::int64_t t, std::uint8_t cat) {
    const auto naive = static_cast<std::uint8_t>(rng.uniform() < kNaiveShare);
    recs.push_back({t, p.x, p.y, static_cast<std::uint32_t>(recs.size()), cat, naive});
  };

  // Shift changes at the zone gates: 06:00, 14:00, 22:00, give or take ~15 minutes.
  for (std::int64_t i = 0; i < rep.gate; ++i) {
    const Gate& g = gates[gate_pick.pick(rng)];
    Pt p;
    do {
      p = {g.p.x + rng.normal(0, g.sd_m), g.p.y + rng.normal(0, g.sd_m)};
    } while (!sampler.inside(p));
    const std::int64_t shift = 6 + 8 * static_cast<std::int64_t>(rng.below(3));
    const double jitter = std::clamp(rng.normal(0, kShiftSdSec), -kShiftMaxSec, kShiftMaxSec);
    const std::int64_t t = day_time(rng, shift * 3600) + std::llround(jitter);
    add(p, t, static_cast<std::uint8_t>(gate_mix.pick(rng)));
  }
  // Night robbery along the roads, 20:00 to 04:00.
  for (std::int64_t i = 0; i < rep.road; ++i) {
    const Pt p = sampler.road(rng);
    std::int64_t t = day_time(rng, 20 * 3600 + static_cast<std::int64_t>(rng.below(8 * 3600)));
    if (t >= kDays * kDaySec) t -= kDaySec;  // 2025-12-31 after midnight: keep it in range
    add(p, t, kRobbery);
  }
  // Background, in proportion to population, with a day/night profile. A few hundred rows share
  // a handful of addresses ("one address, many incidents"): each address at least twice.
  std::vector<Pt> addresses;
  for (std::int64_t i = 0; i < rep.repeated_addresses; ++i)
    addresses.push_back(sampler.background(rng));
  const std::int64_t fresh = rep.background - rep.repeated_address_rows;
  for (std::int64_t i = 0; i < rep.background; ++i) {
    Pt p;
    if (i < fresh) {
      p = sampler.background(rng);
    } else {
      const std::int64_t k = i - fresh;
      p = k < 2 * rep.repeated_addresses
              ? addresses[static_cast<std::size_t>(k / 2)]
              : addresses[rng.below(static_cast<std::uint64_t>(rep.repeated_addresses))];
    }
    const auto hour = static_cast<std::int64_t>(hour_pick.pick(rng));
    const std::int64_t t = day_time(rng, hour * 3600 + static_cast<std::int64_t>(rng.below(3600)));
    add(p, t, static_cast<std::uint8_t>(bg_mix.pick(rng)));
  }

  // The file reads like an incident log: in time order.
  std::sort(recs.begin(), recs.end(),
            [](const Rec& a, const Rec& b) { return a.t != b.t ? a.t < b.t : a.gen < b.gen; });
  {
    std::vector<double> x(recs.size()), y(recs.size());
    for (std::size_t i = 0; i < recs.size(); ++i) {
      x[i] = recs[i].x;
      y[i] = recs[i].y;
    }
    proj.to_lonlat(x, y);
    for (std::size_t i = 0; i < recs.size(); ++i) {
      recs[i].x = x[i];
      recs[i].y = y[i];
    }
  }

  // Edge-case rows go at evenly spaced positions, in a seeded order.
  Rng edge_rng(opt.seed, "edge-rows");
  std::vector<EdgeSpec> specs;
  std::vector<std::int64_t> at;
  if (opt.edge_rows) {
    specs.assign(std::begin(kEdgeSpecs), std::end(kEdgeSpecs));
    for (std::size_t i = specs.size() - 1; i > 0; --i)
      std::swap(specs[i], specs[edge_rng.below(i + 1)]);
    for (std::size_t k = 0; k < specs.size(); ++k)
      at.push_back((static_cast<std::int64_t>(k) + 1) * n /
                   static_cast<std::int64_t>(specs.size() + 1));
  }

  const int id_width = std::max(7, digits(n + 24));
  auto make_id = [&](std::int64_t k) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "INC%0*lld", id_width, static_cast<long long>(k));
    return std::string(buf);
  };

  Out out(path);
  std::string& b = out.buf();
  b += "id,lon,lat,time,category\n";
  std::int64_t next_id = 1, line = 1;
  std::string prev_id;
  std::int64_t prev_t = 0;

  auto emit_edge = [&](const EdgeSpec& s) {
    Pt ll = proj.to_lonlat(sampler.background(edge_rng));
    std::string lon = coord(ll.x), lat = coord(ll.y);
    std::string time = format_time(prev_t, false);
    std::string cat = kCategories[edge_rng.below(6)];
    std::string id, note = s.note;
    switch (s.variant) {
      case 0:
        lon = "abc";
        break;
      case 1:
        lat = "NaN";
        break;
      case 2:
        lon = "inf";
        break;
      case 3:
        lat = "1e400";
        break;
      case 4:
        lat.clear();
        break;
      case 5:
        lon.clear();
        break;
      case 6:
        lon.clear(), lat.clear();
        break;
      case 7:
        std::swap(lon, lat);
        break;
      case 8:
        lon = "-0.127600", lat = "51.507200";
        break;
      case 9:
        lon = "-74.006000", lat = "40.712800";
        break;
      case 10:
        lon = "151.209300", lat = "-33.868800";
        break;
      case 11:
        time = "2024-13-45 25:00";
        break;
      case 12:
        time = "yesterday";
        break;
      case 13:
        time.clear();
        break;
      case 14:
        id = prev_id;
        note = "reuses the id of line " + std::to_string(line);
        break;
      case 15:
        cat = "\"theft, attempted\"";
        break;
    }
    if (id.empty()) id = make_id(next_id++);
    ++line;
    b += id + ',' + lon + ',' + lat + ',' + time + ',' + cat + '\n';
    rep.edge_rows.push_back({line, id, s.reason, note});
  };

  std::size_t next_spec = 0;
  for (std::int64_t i = 0; i <= n; ++i) {
    while (next_spec < specs.size() && at[next_spec] == i) emit_edge(specs[next_spec++]);
    if (i == n) break;
    const Rec& r = recs[static_cast<std::size_t>(i)];
    prev_id = make_id(next_id++);
    prev_t = r.t;
    ++line;
    b += prev_id;
    b += ',';
    put_coord(b, r.x);
    b += ',';
    put_coord(b, r.y);
    b += ',';
    b += format_time(r.t, r.naive != 0);
    b += ',';
    b += kCategories[r.cat];
    b += '\n';
    out.maybe_flush();
  }
  out.close();

  rep.rows = line - 1;
  rep.accepted = n + (opt.edge_rows ? 6 : 0);  // 3 valid + 3 kept without a time
  std::stable_sort(rep.edge_rows.begin(), rep.edge_rows.end(),
                   [](const EdgeRow& a, const EdgeRow& c) { return a.line < c.line; });
  return rep;
}

}  // namespace datagen
