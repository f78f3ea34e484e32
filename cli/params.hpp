#pragma once
// CLI options made from an analysis' parameter table (hotspot/jobs/params.hpp): one option per
// parameter, with the table's flag, help, default and requiredness. CLI11 only collects the text;
// the table converts and checks it, so the command line and a configuration accept the same values
// and fail with the same problems, spelled with the flag here.
#include <CLI/CLI.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hotspot/jobs/params.hpp"

namespace hotspot::cli {

template <class Options>
class CliParams {
 public:
  CliParams(CLI::App& cmd, const ParamTable<Options>& table) : table_(table) {
    for (const auto& p : table.params) {
      if (p.scope == ParamScope::kConfigOnly) continue;
      const std::string flag = "--" + p.cli_flag();
      CLI::Option* opt = nullptr;
      if (p.type == ParamType::kBoolean) {
        opt = cmd.add_flag(flag, flags_[p.name], p.help);
      } else {
        opt = cmd.add_option(flag, raw_[p.name], p.help);
        if (p.type == ParamType::kTextList || p.type == ParamType::kNumberList)
          opt->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
        else  // one value: `--cell-size 50 100` or a second --cell-size is refused (exit 2),
              // not read as the last one
          opt->expected(1)->multi_option_policy(CLI::MultiOptionPolicy::Throw);
        if (!p.default_text.empty()) opt->default_str(p.default_text);
      }
      opt->required(p.required);
      options_[p.name] = opt;
    }
  }

  // The parameters given on the command line as the table's JSON values.
  nlohmann::json values() const {
    const std::vector<ParamInfo> infos = table_.info();
    nlohmann::json v = nlohmann::json::object();
    for (std::size_t k = 0; k < table_.params.size(); ++k) {
      const auto& p = table_.params[k];
      auto opt = options_.find(p.name);
      if (opt == options_.end() || opt->second->count() == 0) continue;
      if (p.type == ParamType::kBoolean) {
        v[p.name] = flags_.at(p.name);
        continue;
      }
      with_param_spelling(infos, &infos[k], spelling(), [&] {
        v[p.name] = param_value_from_text(p.type, raw_.at(p.name), param_is_length(infos[k]));
      });
    }
    return v;
  }

  // Converts, checks and stores every given option in `o`; errors name the flag.
  void apply(Options& o) const { apply_params(table_, values(), ParamScope::kCliOnly, o, spelling()); }

  static ParamSpelling spelling() {
    return [](const ParamInfo* p) { return p ? "--" + p->flag : std::string(); };
  }

 private:
  const ParamTable<Options>& table_;
  std::map<std::string, std::vector<std::string>> raw_;  // std::map: CLI11 keeps the addresses
  std::map<std::string, bool> flags_;
  std::map<std::string, CLI::Option*> options_;
};

}  // namespace hotspot::cli
