#pragma once
// Which field of a table plays which role (coordinates, time, category, ids, names), recognised by
// name as people name them: English and Vietnamese, with or without diacritics. hotspot init
// writes its configuration from these; the readers name them in their errors.
#include <string>
#include <vector>

namespace hotspot {

// "Kinh độ" -> "kinh_do", "Vĩ Độ" -> "vi_do", "NGÀY" -> "ngay": lower case ASCII, Vietnamese
// letters without their marks (precomposed or combining), runs of anything else as one '_'.
std::string fold_field_name(const std::string& name);

enum class FieldRole {
  kX, kY, kDateTime, kDate, kTimeOfDay, kCategory, kIncidentId,
  kCommuneId, kCommuneName, kPopulation, kZoneId, kZoneName,
};
// The index of the first field playing `role` (exact folded names first, then prefixes), or -1.
int find_field_by_role(const std::vector<std::string>& fields, FieldRole role);

}  // namespace hotspot
