#pragma once
// load -> project: every input read, checked and brought into one working CRS in metres (or the
// planar frame). Nothing later reaches back into this stage.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "hotspot/jobs.hpp"

namespace hotspot {

struct LoadedInputs {
  PolygonLayer communes, zones;
  Incidents incidents;
  IngestReport report;
  // A CSV's SHA-256 and length over exactly the bytes parsed; empty for other sources.
  std::string incidents_sha256;
  std::int64_t incidents_bytes = 0;
  Crs work_crs;
  std::string work_crs_reason;
  std::vector<StepTime> timings;
  std::uint64_t max_memory = 0;  // the resolved memory budget (jobs/budget.hpp), bytes
  int utc_offset_minutes = 0;  // of the incidents' naive times: the local time written out
};

LoadedInputs load_inputs(const InputOptions& options);

// A polygon (commune, zone, mask) wider or taller than this in longitude/latitude, or reaching
// further than kMaxPolygonOutsideAreaDeg beyond the working CRS's area of use, is refused (exit 3)
// before projection: a world-sized placeholder (lon -180..180) would fold into a zero-area ring.
constexpr double kMaxPolygonSpanDeg = 60;
constexpr double kMaxPolygonOutsideAreaDeg = 10;
// Throws InputError naming the first such polygon of `layer`.
void check_polygon_extent(const PolygonLayer& layer, const Crs& work, const std::string& what);

// Brings a layer read in its source CRS into the working CRS and repairs there what projection
// made invalid (counted in layer.repaired; a polygon with no area left joins layer.dropped).
// `what` names one feature in messages ("commune", "mask polygon").
void project_polygons(PolygonLayer& layer, const Crs& work, const std::string& what);

// One input's CRS, named in the reason ("communes").
struct CrsSource {
  const Crs* crs;
  std::string name;
};
// Warnings for the datum shifts of the inputs' own that PROJ leaves out (crs/transform.hpp's
// ignored_datum_shift): one for each CRS among the communes', zones', incidents' and the working
// CRS that some input crosses datums out of or into, naming every option that must then carry the
// shift. An input not given is a planar Crs{}.
std::vector<std::string> ignored_datum_shift_warnings(const Crs& communes, const Crs& zones,
                                                      const Crs& incidents, const Crs& work);

// The working CRS: `given` (work_crs) when set; else planar when the sources are (all or none);
// else the first source already projected in metres; else the UTM zone of median_lon_lat() (of
// the `median_of` positions, "incidents'"). The reason goes to *reason.
// The median of `v` (the upper one of an even count); NaN when `v` is empty. For the positions
// median_lon_lat() gives.
double median(std::vector<double> v);

Crs choose_work_crs(const std::string& given, const std::vector<CrsSource>& sources,
                    const std::function<XY()>& median_lon_lat, const std::string& median_of,
                    std::string* reason);

}  // namespace hotspot
