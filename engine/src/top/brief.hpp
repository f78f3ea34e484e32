#pragma once
// hotspot brief: what the pages show, gathered from a finished output (brief.cpp), and the pages
// (brief_pages.cpp).
#include <cairo.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "hotspot/top.hpp"
#include "top/rank.hpp"

namespace hotspot {

struct BriefHotspot {
  TopHotspot top;             // the ranking's row
  MultiPolygon geom;          // in the working CRS
  std::vector<XY> incidents;  // the window's incidents inside it
  std::array<std::int64_t, 24> by_hour{};    // local hour
  std::array<std::int64_t, 7> by_weekday{};  // 0 = Monday
  std::string status;         // new | persisting | grown | shrunk; empty when the layer has none
  std::int64_t days_active = 0;
  std::string trend;          // the commonest emerging category of its cells (brief.cpp); empty without emerging
};

struct BriefData {
  std::string title, window_text;  // window_text: "2025-09-01 – 2025-12-31 · 22:00-06:00 · 612 incidents"
  const TopInputs* in = nullptr;   // communes, zones (working CRS)
  std::vector<BriefHotspot> hotspots;
  std::vector<XY> window_points;   // every window incident
  std::vector<std::vector<XY>> roads;  // line strings in the working CRS
  bool vi = true;
};

// Draws every page on a PDF surface (A4 in points) and returns how many: the overview (its table
// continued on as many pages as its rows need), then one page per hotspot.
int draw_brief_pages(cairo_t* cr, const BriefData& d);

// The window's days as the briefing names them, the weekday chart's labels: runs of three days or
// more as a range ("T2–T6", "Mon–Fri"), others listed ("T7, CN", "Sat, Sun"). `days` as
// TopResult::days ("mon", "tue", ... in week order).
std::string window_days_text(const std::vector<std::string>& days, bool vi);

}  // namespace hotspot
