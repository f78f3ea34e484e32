#pragma once
// Categories as the analyst means them: each distinct spelling read is NFC-normalised, mapped
// through the alias table, and (with category_case fold) grouped with the spellings that differ
// only in case. A group is labelled with its alias target, else its most frequent spelling (the
// first seen on a tie), so the labels and the order of first appearance are deterministic.
#include <cstdint>
#include <vector>

#include "hotspot/ingest.hpp"

namespace hotspot {

// `spellings` holds each distinct trimmed spelling as read (valid UTF-8), `count` how often it
// occurs; inc.category holds spelling codes. Rewrites inc.category and inc.categories to the
// grouped categories and fills inc.category_spellings for groups of more than one spelling or
// aliased ones. Throws ParameterError("categories", ...) when an alias maps to two targets.
void group_categories(Incidents& inc, const Dictionary& spellings,
                      const std::vector<std::int64_t>& count, const IncidentOptions& opt);

}  // namespace hotspot
