#pragma once
// Typed errors. Each carries a message naming the stage and the offending value; the CLI maps the
// type to an exit code in exactly one place (cli/main.cpp).
#include <stdexcept>
#include <string>
#include <utility>

namespace hotspot {

enum class ErrorKind { kUsage, kInput, kIo, kInternal };

// The exit code of each kind, defined here once: the CLI exits with it, and a run records it for
// each analysis that failed on its own. 1 internal, 2 usage or configuration, 3 bad input data,
// 4 I/O. (5, "partial", is a run's own: some analyses failed, the output was written.)
constexpr int exit_code_of(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kUsage:
      return 2;
    case ErrorKind::kInput:
      return 3;
    case ErrorKind::kIo:
      return 4;
    case ErrorKind::kInternal:
      return 1;
  }
  return 1;
}
constexpr int kExitPartial = 5;
// "usage", "input", "io", "internal": the exit class a run records for a failed analysis.
constexpr const char* error_class(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kUsage:
      return "usage";
    case ErrorKind::kInput:
      return "input";
    case ErrorKind::kIo:
      return "io";
    case ErrorKind::kInternal:
      return "internal";
  }
  return "internal";
}

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

// A bad option or configuration value (exit 2).
struct UsageError : Error {
  explicit UsageError(const std::string& m) : Error(ErrorKind::kUsage, m) {}
};
// A value of one named parameter that an analysis cannot use (exit 2). Algorithms know their
// parameters by their API names ("cell_size"), not by how a caller spelled them: the CLI turns
// the name into its flag (--cell-size), the config reader into a JSON path
// (analyses[2].cell_size), Python keeps it as the exception's `parameter`.
struct ParameterError : UsageError {
  ParameterError(std::string parameter, const std::string& problem)
      : UsageError(parameter + ": " + problem),
        parameter_(std::move(parameter)),
        problem_(problem) {}
  const std::string& parameter() const { return parameter_; }
  const std::string& problem() const { return problem_; }  // the message without the name

 private:
  std::string parameter_, problem_;
};
// User data that cannot be used as it is (exit 3).
struct InputError : Error {
  explicit InputError(const std::string& m) : Error(ErrorKind::kInput, m) {}
};
// A CRS that is missing, unknown or unusable for the job (exit 3).
struct CrsError : InputError {
  explicit CrsError(const std::string& m) : InputError("CRS: " + m) {}
};
// A file that cannot be read or written (exit 4).
struct IoError : Error {
  explicit IoError(const std::string& m) : Error(ErrorKind::kIo, m) {}
};
// A bug in hotspot, never the user's fault (exit 1).
struct InternalError : Error {
  explicit InternalError(const std::string& m) : Error(ErrorKind::kInternal, "internal: " + m) {}
};

}  // namespace hotspot
