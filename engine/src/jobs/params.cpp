#include "hotspot/jobs/params.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "hotspot/error.hpp"

namespace hotspot {

using json = nlohmann::json;

const char* param_type_name(ParamType t) {
  switch (t) {
    case ParamType::kNumber: return "number";
    case ParamType::kInteger: return "integer";
    case ParamType::kBoolean: return "boolean";
    case ParamType::kText: return "text";
    case ParamType::kNumberList: return "number list";
    case ParamType::kTextList: return "text list";
    case ParamType::kNumberOrText: return "number or text";
  }
  return "";
}

namespace {

// The whole text as a finite double, or nothing.
bool whole_number(const std::string& text, double* v) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text[0]))) return false;
  errno = 0;
  char* end = nullptr;
  const double d = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || errno == ERANGE || !std::isfinite(d)) return false;
  *v = d;
  return true;
}

// Says what was wrong with `text` as a number: a unit written after it (lengths are plain
// metres), a magnitude a double cannot hold, or no number at all.
double number(const std::string& text, bool length) {
  double v = 0;
  if (whole_number(text, &v)) return v;
  const char* what = length ? "a number of metres (data units for planar data), e.g. 50"
                            : "a finite number, e.g. 0.5";
  errno = 0;
  char* end = nullptr;
  const double d = std::strtod(text.c_str(), &end);
  const bool parsed =
      !text.empty() && !std::isspace(static_cast<unsigned char>(text[0])) && end != text.c_str();
  if (parsed && end == text.c_str() + text.size() && errno == ERANGE && std::fabs(d) < 1)
    throw UsageError("'" + text + "' is too close to 0 for a number (below 1e-300); expected " +
                     what);
  if (parsed && end != text.c_str() + text.size() && std::isalpha(static_cast<unsigned char>(*end)))
    throw UsageError("expected " + std::string(what) + ", without a unit; got '" + text + "'");
  throw UsageError("expected " + std::string(what) + ", got '" + text + "'");
}

}  // namespace

json param_value_from_text(ParamType type, const std::vector<std::string>& texts, bool length) {
  if (texts.empty()) return nullptr;
  const std::string& text = texts.back();  // (the CLI refuses a second value for one-value options)
  switch (type) {
    case ParamType::kNumber:
      return number(text, length);
    case ParamType::kInteger: {
      errno = 0;
      char* end = nullptr;
      const long long v = std::strtoll(text.c_str(), &end, 10);
      if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE)
        throw UsageError("expected a whole number, got '" + text + "'");
      return v;
    }
    case ParamType::kBoolean: return text != "false";
    case ParamType::kText: return text;
    case ParamType::kNumberOrText: {
      double v = 0;
      return whole_number(text, &v) ? json(v) : json(text);
    }
    case ParamType::kTextList: return texts;
    case ParamType::kNumberList: {
      json out = json::array();
      for (const auto& t : texts) {
        std::size_t start = 0;
        while (start <= t.size()) {
          std::size_t comma = t.find(',', start);
          if (comma == std::string::npos) comma = t.size();
          out.push_back(number(t.substr(start, comma - start), length));
          start = comma + 1;
        }
      }
      return out;
    }
  }
  return nullptr;
}

void with_param_spelling(const std::vector<ParamInfo>& params, const ParamInfo* at, const ParamSpelling& spell,
                         const std::function<void()>& f) {
  auto spelled = [&](const ParamInfo* p, const std::string& problem) {
    const std::string who = spell(p);
    return UsageError(who.empty() ? problem : who + ": " + problem);
  };
  try {
    f();
  } catch (const ParameterError& e) {
    for (const auto& p : params)
      if (p.name == e.parameter()) throw spelled(&p, e.problem());
    throw spelled(at, e.what());  // a parameter of the algorithm's own: keep its name
  } catch (const UsageError& e) {
    throw spelled(at, e.what());
  }
}

}  // namespace hotspot
