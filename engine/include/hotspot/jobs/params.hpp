#pragma once
// Each analysis declares its parameters once, in one table: name, JSON type, default, help text
// and the function that converts, checks and stores a value in the analysis' typed options. The
// CLI makes its options from the table (cli/params.hpp), the run configuration reads its analyses
// through it (run/plan.cpp), and a test holds every table against schemas/run.schema.json. Adding
// an option to an analysis is one entry here and the code that uses the new field.
//
// Errors name the parameter as the caller spelled it: a table's `set` throws ParameterError or
// UsageError with the problem only ("must be > 0 (got 0)"); apply_params puts the spelling in
// front: "--cell-size: must be > 0 (got 0)" from the CLI, "analyses[2].cell_size: ..." from a
// configuration, "cell_size: ..." from Python.
#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "hotspot/error.hpp"

namespace hotspot {

// The JSON type of a value (what the schema says); the CLI converts its text to it.
enum class ParamType {
  kNumber,        // 500, 0.5: a finite double
  kInteger,       // 999
  kBoolean,       // a CLI flag
  kText,          // "queen"
  kNumberList,    // [0, 50, 100]; the CLI takes "0,50,100"
  kTextList,      // ["theft", "robbery"]; the CLI takes the option once per item
  kNumberOrText,  // 500 or "auto"; the CLI's text becomes a number when it is one
};
const char* param_type_name(ParamType t);

// Where a parameter can be given. Some belong to one side only: `--out` is the CLI's (a run has
// one output for all its analyses), `layer` is the configuration's.
enum class ParamScope { kBoth, kCliOnly, kConfigOnly };

template <class Options>
struct Param {
  using Setter = std::function<void(Options&, const nlohmann::json&)>;
  Param(std::string name_, ParamType type_, std::string help_, std::string default_text_, bool required_, Setter set_,
        std::string flag_ = "", ParamScope scope_ = ParamScope::kBoth)
      : name(std::move(name_)), type(type_), help(std::move(help_)), default_text(std::move(default_text_)),
        required(required_), set(std::move(set_)), flag(std::move(flag_)), scope(scope_) {}

  std::string name;          // snake_case: the configuration key and the Python keyword
  ParamType type;
  std::string help;          // one line, with the unit
  std::string default_text;  // as help shows it; empty: no default (optional, or required)
  bool required = false;
  // Converts, checks and stores one value. Throws ParameterError or UsageError with the problem.
  Setter set;
  std::string flag;  // the CLI flag without "--"; DEFAULT (empty): the name with '-' for '_'
  ParamScope scope = ParamScope::kBoth;

  std::string cli_flag() const;
};

// What a table says of one parameter, whatever the options type (for help, tests and docs).
struct ParamInfo {
  std::string name, flag, help, default_text;
  ParamType type;
  bool required;
  ParamScope scope;
};

template <class Options>
struct ParamTable {
  std::string analysis;  // the configuration's "type": "kde", "clusters", ...
  std::vector<Param<Options>> params;
  // Consistency across parameters, after every value is set (e.g. "edge_correction needs a
  // mask"). Throws ParameterError naming the parameter at fault. DEFAULT: none.
  std::function<void(const Options&)> check;

  std::vector<ParamInfo> info() const;
};

// How a caller spells a parameter in messages: "--cell-size", "analyses[2].cell_size"; for null,
// the analysis as a whole ("analyses[2]", or "" on the command line).
using ParamSpelling = std::function<std::string(const ParamInfo*)>;

// The value of a CLI option's text as the parameter's JSON type; throws UsageError with the
// problem ("expected a number, got 'abc'"). Numbers must be finite and use the whole text; a
// `length` (param_is_length) is told to be plain metres ("1mm": "expected a number of metres").
nlohmann::json param_value_from_text(ParamType type, const std::vector<std::string>& texts,
                                     bool length = false);
// A number or number list whose help gives metres: a length, whose CLI text takes no unit.
inline bool param_is_length(const ParamInfo& p) {
  return (p.type == ParamType::kNumber || p.type == ParamType::kNumberList) &&
         (p.help.find("metres") != std::string::npos || p.help.find(" m;") != std::string::npos);
}

// Runs f; a ParameterError or UsageError it throws is rethrown as a UsageError spelled
// `spelling: problem`, for `at` (null: the analysis). A ParameterError naming a parameter of the
// table is spelled for that one, whichever `at` is.
void with_param_spelling(const std::vector<ParamInfo>& params, const ParamInfo* at, const ParamSpelling& spell,
                         const std::function<void()>& f);

// Sets every parameter present in `values` (an object: name -> JSON value), refuses a missing
// required one, then runs the table's check. Keys that are not parameters of `scope` are ignored:
// the schema (configuration) or CLI11 (command line) refuses unknown names before this runs.
template <class Options>
void apply_params(const ParamTable<Options>& table, const nlohmann::json& values, ParamScope scope, Options& o,
                  const ParamSpelling& spell);

// ---- implementation -------------------------------------------------------------------------

template <class Options>
std::string Param<Options>::cli_flag() const {
  if (!flag.empty()) return flag;
  std::string f = name;
  for (char& c : f)
    if (c == '_') c = '-';
  return f;
}

template <class Options>
std::vector<ParamInfo> ParamTable<Options>::info() const {
  std::vector<ParamInfo> out;
  for (const auto& p : params)
    out.push_back({p.name, p.cli_flag(), p.help, p.default_text, p.type, p.required, p.scope});
  return out;
}

template <class Options>
void apply_params(const ParamTable<Options>& table, const nlohmann::json& values, ParamScope scope, Options& o,
                  const ParamSpelling& spell) {
  const std::vector<ParamInfo> infos = table.info();
  for (std::size_t k = 0; k < table.params.size(); ++k) {
    const Param<Options>& p = table.params[k];
    if (p.scope != ParamScope::kBoth && p.scope != scope) continue;
    auto it = values.find(p.name);
    if (it == values.end() || it->is_null()) {
      if (p.required) with_param_spelling(infos, &infos[k], spell, [] { throw UsageError("required"); });
      continue;
    }
    with_param_spelling(infos, &infos[k], spell, [&] { p.set(o, *it); });
  }
  if (table.check) with_param_spelling(infos, nullptr, spell, [&] { table.check(o); });
}

}  // namespace hotspot
