#include "io/categories.hpp"

#include <unordered_map>

#include "hotspot/error.hpp"
#include "io/encoding.hpp"

namespace hotspot {

void group_categories(Incidents& inc, const Dictionary& spellings,
                      const std::vector<std::int64_t>& count, const IncidentOptions& opt) {
  const bool fold = opt.category_case == CategoryCase::kFold;
  auto key_of = [&](const std::string& s) { return fold ? case_fold(s) : nfc(s); };
  // Alias spellings (and the targets themselves) -> target, compared as keys.
  std::unordered_map<std::string, std::string> alias;
  for (const auto& [target, names] : opt.category_aliases) {
    const std::string t = nfc(target);
    auto add = [&](const std::string& name) {
      const std::string k = key_of(nfc(name));
      auto [it, fresh] = alias.emplace(k, t);
      if (!fresh && it->second != t)
        throw ParameterError("categories", "'" + name + "' is an alias of both '" + it->second +
                                               "' and '" + t + "'");
    };
    add(target);
    for (const auto& n : names) add(n);
  }
  // Groups in order of first appearance of any of their spellings.
  std::unordered_map<std::string, std::uint32_t> group_of_key;
  std::vector<std::uint32_t> group_of(spellings.size());
  struct Group {
    std::string label;  // alias target, or filled below from the most frequent spelling
    bool aliased = false;
    std::vector<std::uint32_t> members;
  };
  std::vector<Group> groups;
  for (std::uint32_t s = 0; s < spellings.size(); ++s) {
    const std::string norm = nfc(spellings[s]);
    std::string key = key_of(norm);
    auto a = alias.find(key);
    if (a != alias.end()) key = "\x01" + a->second;  // aliased: one group per target
    auto [it, fresh] = group_of_key.emplace(key, static_cast<std::uint32_t>(groups.size()));
    if (fresh) groups.push_back({a != alias.end() ? a->second : std::string(), a != alias.end(), {}});
    group_of[s] = it->second;
    groups[it->second].members.push_back(s);
  }
  Dictionary labels;
  std::vector<std::uint32_t> code_of_group(groups.size());
  inc.category_spellings.clear();
  for (std::size_t g = 0; g < groups.size(); ++g) {
    Group& G = groups[g];
    if (!G.aliased) {
      // The most frequent NFC spelling; spellings equal after NFC count together.
      std::unordered_map<std::string, std::int64_t> by_nfc;
      std::vector<std::string> order;
      for (auto s : G.members) {
        std::string n = nfc(spellings[s]);
        if (!by_nfc.count(n)) order.push_back(n);
        by_nfc[n] += count[s];
      }
      G.label = order.front();
      for (const auto& n : order)
        if (by_nfc[n] > by_nfc[G.label]) G.label = n;
    }
    code_of_group[g] = labels.intern(G.label);
    if (G.aliased || G.members.size() > 1) {
      auto& list = inc.category_spellings[G.label];
      for (auto s : G.members)
        if (spellings[s] != G.label) list.push_back(spellings[s]);
      if (list.empty()) inc.category_spellings.erase(G.label);
    }
  }
  for (auto& c : inc.category)
    if (c != Dictionary::kNone) c = code_of_group[group_of[c]];
  inc.categories = std::move(labels);
}

}  // namespace hotspot
