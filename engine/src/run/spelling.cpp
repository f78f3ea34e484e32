#include "run/spelling.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "hotspot/jobs/aggregate.hpp"
#include "hotspot/jobs/cluster.hpp"
#include "hotspot/jobs/emerging.hpp"
#include "hotspot/jobs/kde.hpp"
#include "hotspot/jobs/local.hpp"
#include "hotspot/jobs/near_repeat.hpp"
#include "hotspot/jobs/params.hpp"

namespace hotspot {

const FlagPaths& input_flag_paths() {
  static const FlagPaths paths = [] {
    FlagPaths p;
    for (const char* role : {"communes", "zones"}) {
      const std::string r = role, at = "inputs." + r;
      p.push_back({"--" + r + "-layer", at + ".layer"});
      p.push_back({"--" + r + "-id-field", at + ".id_field"});
      p.push_back({"--" + r + "-name-field", at + ".name_field"});
      p.push_back({"--" + r + "-crs", at + ".crs"});
      p.push_back({"--" + r + "-encoding", at + ".encoding"});
      p.push_back({"--" + r, at + ".path"});
    }
    p.push_back({"--population-field", "inputs.communes.population_field"});
    for (const char* key : {"x_field", "y_field", "id_field", "time_field", "date_field",
                            "time_format", "category_field", "category_case", "weight_field",
                            "utc_offset", "fix_swapped_axes", "max_reject_share", "encoding"}) {
      std::string flag = std::string("--") + key;
      std::replace(flag.begin(), flag.end(), '_', '-');
      p.push_back({flag, std::string("inputs.incidents.") + key});
    }
    p.push_back({"--incidents-layer", "inputs.incidents.layer"});
    p.push_back({"--incidents-crs", "inputs.incidents.crs"});
    p.push_back({"--incidents", "inputs.incidents.path"});
    p.push_back({"--work-crs", "work_crs"});
    p.push_back({"--threads", "threads"});
    p.push_back({"--out", "output.path"});
    return p;
  }();
  return paths;
}

namespace {

template <class Options>
FlagPaths flags_of(const ParamTable<Options>& table, const std::string& where) {
  FlagPaths out;
  for (const auto& info : table.info())
    if (info.scope == ParamScope::kBoth)
      out.push_back({"--" + info.flag, where + "." + info.name});
  return out;
}

bool flag_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
}

}  // namespace

FlagPaths analysis_flag_paths(const AnalysisConfig& a) {
  if (a.type == "aggregate") return flags_of(aggregate_params(), a.where);
  if (a.type == "kde") return flags_of(kde_params(), a.where);
  if (a.type == "clusters") return flags_of(cluster_params(), a.where);
  if (a.type == "local") return flags_of(local_params(), a.where);
  if (a.type == "emerging") return flags_of(emerging_params(), a.where);
  if (a.type == "near_repeat") return flags_of(near_repeat_params(), a.where);
  return {};
}

std::string config_spelled(const std::string& text, const FlagPaths& paths) {
  if (text.find("--") == std::string::npos) return text;
  std::string out;
  out.reserve(text.size() + 32);
  std::size_t i = 0;
  while (i < text.size()) {
    const bool at_flag = text.compare(i, 2, "--") == 0 && (i == 0 || !flag_char(text[i - 1]));
    if (!at_flag) {
      out += text[i++];
      continue;
    }
    std::size_t end = i + 2;
    while (end < text.size() && flag_char(text[end])) ++end;
    const std::string flag = text.substr(i, end - i);
    const std::string* path = nullptr;
    for (const auto* table : {&paths, &input_flag_paths()})
      for (const auto& [f, p] : *table)
        if (!path && f == flag) path = &p;
    if (!path) {  // not an option a configuration has: left as it is
      out += flag;
      i = end;
      continue;
    }
    // A value "given with --work-crs" on the command line is "given as work_crs" in a file.
    constexpr std::string_view kGivenWith = "given with ";
    if (out.size() >= kGivenWith.size() &&
        out.compare(out.size() - kGivenWith.size(), kGivenWith.size(), kGivenWith) == 0)
      out.replace(out.size() - 5, 5, "as ");
    out += *path;
    i = end;
    // "--permutations 399" -> "analyses[4].permutations = 399"
    std::size_t v = i + 1;
    if (i < text.size() && text[i] == ' ' && v < text.size() &&
        std::isdigit(static_cast<unsigned char>(text[v])))
      out += " =";
  }
  return out;
}

void rethrow_config_spelled(const Error& e, const FlagPaths& paths) {
  const std::string m = config_spelled(e.what(), paths);
  switch (e.kind()) {
    case ErrorKind::kUsage:
      throw UsageError(m);
    case ErrorKind::kInput:
      throw InputError(m);
    case ErrorKind::kIo:
      throw IoError(m);
    case ErrorKind::kInternal:
      break;
  }
  throw;
}

}  // namespace hotspot
