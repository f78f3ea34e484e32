#pragma once
// Plain geometry values shared across the public API. Coordinates are in the working CRS (metres,
// or data units for planar input) unless a name says otherwise.
#include <algorithm>
#include <limits>
#include <vector>

namespace hotspot {

struct XY {
  double x = 0;
  double y = 0;
};

struct Box {
  double xmin = std::numeric_limits<double>::infinity();
  double ymin = std::numeric_limits<double>::infinity();
  double xmax = -std::numeric_limits<double>::infinity();
  double ymax = -std::numeric_limits<double>::infinity();

  bool empty() const { return xmin > xmax; }
  void expand(XY p) {
    xmin = std::min(xmin, p.x);
    ymin = std::min(ymin, p.y);
    xmax = std::max(xmax, p.x);
    ymax = std::max(ymax, p.y);
  }
  void expand(const Box& b) {
    xmin = std::min(xmin, b.xmin);
    ymin = std::min(ymin, b.ymin);
    xmax = std::max(xmax, b.xmax);
    ymax = std::max(ymax, b.ymax);
  }
  bool contains(XY p) const { return p.x >= xmin && p.x <= xmax && p.y >= ymin && p.y <= ymax; }
  bool intersects(const Box& b) const {
    return !(b.xmin > xmax || b.xmax < xmin || b.ymin > ymax || b.ymax < ymin);
  }
};

// A closed ring: the first vertex is repeated at the end.
using Ring = std::vector<XY>;

struct Polygon {
  Ring shell;
  std::vector<Ring> holes;
};

// Every polygon layer is stored as MultiPolygon, whatever the source held.
using MultiPolygon = std::vector<Polygon>;

Box bounds(const MultiPolygon& mp);

}  // namespace hotspot
